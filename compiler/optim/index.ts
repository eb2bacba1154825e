export { optim } from './optimizers.js';
export type { AdamOptions, Optimizer, OptimizerOptions, RmspropOptions, SgdOptions } from './optimizers.js';
export { learningRate, schedules } from './schedules.js';
export type { Schedule } from './schedules.js';
export { applyOptimizer } from './apply.js';
export type { OptimizerResult, ParameterGradient } from './apply.js';
