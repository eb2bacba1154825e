/** Importing this module registers every op's reference kernel. */
import './elementwise.js';
