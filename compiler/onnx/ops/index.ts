/** Importing this module fills the ONNX op table (one file per op family). */
import './elementwise.js';
import './reduce.js';
import './matmul.js';
import './layout.js';
import './constants.js';
import './nn.js';
import './normalization.js';
import './indexing.js';
import './resize.js';
import './control.js';
import './loss.js';
import './quantize.js';
import './signal.js';
import './recurrent.js';
import './grid_sample.js';
import './pool_indices.js';
import './tfidf.js';

export { onnxHandler, onnxOpTable, supportedOnnxOps } from './table.js';
