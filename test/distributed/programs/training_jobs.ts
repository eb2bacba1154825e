import { join } from 'node:path';
import { compileParallelTraining } from '../../../compiler/parallel/index.js';
import { crossEntropy, nn } from '../../../compiler/dsl/index.js';
import { optim } from '../../../compiler/optim/index.js';
import type { TrainingSpec } from '../../../compiler/train/index.js';
import type { ParallelTrainingProgram } from '../../../ir/parallel_program.js';
import type { ParquetSchema } from '../../../runtime/data/index.js';
import { tensorWidth } from '../../../runtime/data/parquet_schema.js';
import type { RankFitOptions } from '../../../runtime/distributed/rank_fit.js';
import { ArrayDataset } from '../../../runtime/training/dataset.js';
import { loadDigits } from '../../../examples/mnist_data.js';
import { mnistMlp, PIXELS } from '../../../examples/mnist_models.js';
import { TEST_SCHEMA, writeShard } from '../../data/parquet_shards.js';
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

/**
 * The Parquet job (3 ranks only): test/data/parquet_shards.ts's rows, 13 features in, the row's
 * label (id % 10) as the class. 2 shards × 6 row groups of 16 rows: each of 3 ranks owns 4
 * groups (64 rows), so a local batch of 8 gives 8 steps per epoch; 2 epochs, 16 steps.
 */
export const PARQUET_RANKS = 3;
export const PARQUET_TRAINING = { epochs: 2, seed: 8 } as const satisfies Omit<RankFitOptions, 'validation' | 'test'>;
export const PARQUET_STEPS = 16;
const PARQUET_SHARDS = 2;
const PARQUET_SHARD_ROWS = 96;
const PARQUET_ROW_GROUP = 16;

export const PARQUET_SCHEMA: ParquetSchema = {
  input: TEST_SCHEMA.input as unknown as ParquetSchema['input'],
  target: { dtype: 'i32', columns: [{ column: 'label', kind: 'number' }] },
};

export function writeParquetShards(dir: string): void {
  for (let f = 0; f < PARQUET_SHARDS; f++) {
    writeShard(join(dir, `part-${f}.parquet`), { firstId: f * PARQUET_SHARD_ROWS, rows: PARQUET_SHARD_ROWS, rowGroupSize: PARQUET_ROW_GROUP });
  }
}

export function parquetSpec(): TrainingSpec {
  const features = tensorWidth(PARQUET_SCHEMA.input);
  return {
    model: new nn.Sequential(new nn.Linear(features, 16), nn.ReLU(), new nn.Linear(16, 10)),
    input: { shape: [features] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: 2e-3 }),
    batchSize: GLOBAL_BATCH,
    evalBatchSize: GLOBAL_BATCH,
    accuracy: true,
    seed: 5,
  };
}

export function parquetProgram(devices: number): ParallelTrainingProgram {
  return compileParallelTraining(parquetSpec(), { devices, strategy: 'data', bucketBytes: 512 });
}
