/** Training on the device: the fit loop, evaluation, data sets, progress and curves. */
export { epochOrder, Trainer } from './trainer.js';
export type { Evaluation, FitOptions, StepResult } from './trainer.js';
export { ArrayDataset, NpyDataset } from './dataset.js';
export type { Dataset } from './dataset.js';
export { NpyFile, parseNpyHeader, writeNpy } from './npy.js';
export type { NpyHeader } from './npy.js';
export { formatDuration, Progress } from './progress.js';
export type { ProgressMode, ProgressStream } from './progress.js';
export { renderCurves } from './curves.js';
export { writeCurves } from './curves_file.js';
export { renderCurvesPage } from './curves_page.js';
export type { EpochRecord } from './curves.js';
export { TRAINING_FORMAT } from '../../ir/training_plan.js';
export type { TrainingProgram, TrainingTensorSpec } from '../../ir/training_plan.js';
