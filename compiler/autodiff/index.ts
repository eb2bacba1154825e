export { grad, gradients } from './gradients.js';
export type { GradientOptions } from './gradients.js';
export { getGrad, gradientRules, gradOps, hasGrad, hasNoGradient, NO_GRADIENT, registerGrad } from './registry.js';
export type { GradContext, GradRule } from './registry.js';
export { sumToShape } from './reshape_grad.js';
