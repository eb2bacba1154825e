/** The reverse-mode autodiff pass; rules and the pass itself live in compiler/autodiff. */
export { grad, gradients } from '../autodiff/index.js';
export type { GradientOptions } from '../autodiff/index.js';
