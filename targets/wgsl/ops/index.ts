/** Importing this module registers every op's WGSL lowering. */
import './elementwise.js';
