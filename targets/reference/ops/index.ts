/** Importing this module registers every op's kernel (one file per op family, as in ir/ops). */
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
