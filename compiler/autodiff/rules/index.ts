/** Importing this module registers every gradient rule (one file per op family, as in ir/ops). */
import './elementwise.js';
import './reduce.js';
import './matmul.js';
import './layout.js';
import './nn.js';
import './indexing.js';
import './normalization.js';
import './attention.js';
