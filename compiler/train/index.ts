export { buildEvalGraph, buildTrainingGraph, compileTraining } from './compile_training.js';
export type { ExampleSpec, TrainingSpec } from './compile_training.js';
