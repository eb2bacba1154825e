import { compileParallelTraining } from '../../../compiler/parallel/index.js';
import { crossEntropy } from '../../../compiler/dsl/index.js';
import { optim } from '../../../compiler/optim/index.js';
import type { TrainingSpec } from '../../../compiler/train/index.js';
import type { ParallelTrainingProgram } from '../../../ir/parallel_program.js';
import type { RankFitOptions } from '../../../runtime/distributed/rank_fit.js';
import { ArrayDataset } from '../../../runtime/training/dataset.js';
import { loadDigits } from '../../../examples/mnist_data.js';
import { mnistMlp, PIXELS } from '../../../examples/mnist_models.js';
import { dataset, GLOBAL_BATCH, mlpSpec } from '../fixtures.js';

/**
 * The jobs the MPI tests train, built the same way by the test (the in-process and
 * single-device oracles) and by each mpirun rank (programs/train_mpi.ts): every rank compiles
 * the same program from the same seed.
 */

export type JobModel = 'mlp' | 'mnist';
export type JobStrategy = 'data' | 'pipeline';

/** Every MPI run: one epoch (the MLP's 20 steps, MNIST's 10), data order seeded 8. */
export const MPI_TRAINING = { epochs: 1, seed: 8 } as const satisfies Omit<RankFitOptions, 'validation' | 'test'>;
export const MNIST_STEPS = 10;

/** The MNIST MLP (784-256-10) on the first 240 digits: 10 global batches of 24 (2 and 3 ranks divide it). */
export function mnistSpec(): TrainingSpec {
  return {
    model: mnistMlp(),
    input: { shape: [PIXELS] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: 2e-3 }),
    batchSize: GLOBAL_BATCH,
    evalBatchSize: 48,
    accuracy: true,
    seed: 3,
  };
}

let digits: ArrayDataset | undefined;
function mnistDigits(): ArrayDataset {
  if (!digits) {
    const all = loadDigits(0);
    const count = GLOBAL_BATCH * MNIST_STEPS;
    digits = new ArrayDataset(all.x.slice(0, count * PIXELS), all.y.slice(0, count), [PIXELS]);
  }
  return digits;
}

export interface TrainingJob {
  readonly spec: TrainingSpec;
  readonly program: ParallelTrainingProgram;
  readonly train: ArrayDataset;
}

export function trainingJob(model: JobModel, strategy: JobStrategy, devices: number): TrainingJob {
  const spec = model === 'mnist' ? mnistSpec() : mlpSpec(6);
  // Small buckets for the MLP (several buckets in flight); the MNIST MLP's 784×256 weight is its own bucket.
  const bucketBytes = model === 'mnist' ? 64 * 1024 : 512;
  return { spec, program: compileParallelTraining(spec, { devices, strategy, microBatches: 4, bucketBytes }), train: model === 'mnist' ? mnistDigits() : dataset };
}
