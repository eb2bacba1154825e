export { buildEvalGraph, buildTrainingGraph, compileTraining } from './compile_training.js';
export type { ExampleSpec, TrainingCompileOptions, TrainingSpec } from './compile_training.js';
