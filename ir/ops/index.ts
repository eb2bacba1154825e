/** Importing this module registers every op of the IR (one file per op family). */
import './elementwise.js';
import './reduce.js';
import './matmul.js';
import './layout.js';
import './nn.js';
import './indexing.js';
import './sorting.js';
import './resize.js';
import './random.js';
import './normalization.js';
import './attention.js';

export { BINARY_OPS, UNARY_OPS } from './elementwise.js';
export { REDUCE_OPS, reducedAxes, reducedShape } from './reduce.js';
export { resolveReshape, sliceAxis, sliceAxisDim } from './layout.js';
export type { AxisSlice, SymbolicAxisSlice } from './layout.js';
