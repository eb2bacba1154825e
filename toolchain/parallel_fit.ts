import type { ParallelOptions } from '../compiler/parallel/index.js';
import { compileParallelTraining } from '../compiler/parallel/index.js';
import type { TrainingSpec } from '../compiler/train/index.js';
import { fitInProcess, type InProcessFitOptions, type InProcessFitResult } from '../runtime/distributed/fit_in_process.js';
import type { ArrayDataset } from '../runtime/training/dataset.js';

/**
 * Training on several devices of this host in one call: compiles `spec` (its batchSize is the
 * global batch) for the strategy, then runs one worker thread and one device per rank.
 *
 *   await fit(spec, train, { devices: 4, strategy: 'data', epochs: 10, test })
 *   await fit(spec, train, { devices: 4, strategy: { data: 2, pipeline: 2 }, microBatches: 4, epochs: 10 })
 *
 * The result's `states` carry single-device names: they load into a single-device Trainer
 * (`restore`) and into a checkpoint (`writeCheckpoint`), and come back as `initialStates`.
 */
export type ParallelFitOptions = ParallelOptions & InProcessFitOptions;

export async function fit(spec: TrainingSpec, data: ArrayDataset, options: ParallelFitOptions): Promise<InProcessFitResult> {
  const { devices, strategy, microBatches, schedule, bucketBytes, deviceMemory, costModel, ...run } = options;
  const program = compileParallelTraining(spec, { devices, strategy, microBatches, schedule, bucketBytes, deviceMemory, costModel });
  return fitInProcess(program, data, run);
}
