/**
 * One rank of data-parallel MNIST training over MPI: what `dawnflow launch` starts on every
 * rank (examples/distributed.ts drives it; docs/cluster.md runs it on a cluster).
 *
 *   dawnflow launch -n 3 --max-restarts 1 -- node --import tsx examples/distributed_rank.ts \
 *     --data <dir of Parquet shards> --checkpoints <dir> [--out result.json] [--kill <rank>:<steps>]
 *
 * Each rank reads its own row groups of the shards (ParquetDataset: rank-assigned groups, a
 * shuffle that is a function of seed, epoch and rank), trains the MNIST MLP data-parallel
 * (gradients all-reduced over MPI), and rank 0 writes an atomic checkpoint every few steps. A
 * restarted job (DAWNFLOW_RESTART > 0) resumes from that checkpoint and continues bit for bit.
 * At the end every rank evaluates a share of the test digits; rank 0 writes `--out`:
 * { restart, steps, testAccuracy, checkpoint }. `--kill r:s` is the fault drill: on the first
 * attempt rank r SIGKILLs itself once s steps are done.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TrainingSpec } from '../index.js';
import { ArrayDataset, compileParallelTraining, crossEntropy, fitRank, loadRank, optim, schedules } from '../index.js';
import type { ParquetSchema } from '../runtime/index.js';
import { launchAttempt, MpiCommunicator, ParquetDataset, resumePoint } from '../runtime/index.js';
import { loadDigits, splitDigits } from './mnist_data.js';
import { mnistMlp, PIXELS } from './mnist_models.js';

/** Pixels are stored as bytes (what an image pipeline writes); the schema scales them to [0, 1]. */
export const PIXEL_SCALE = 1 / 255;
export const MNIST_SCHEMA: ParquetSchema = {
  input: { dtype: 'f32', columns: [{ column: 'image', kind: 'binary', length: PIXELS, scale: PIXEL_SCALE }] },
  target: { dtype: 'i32', columns: [{ column: 'label', kind: 'number' }] },
};

/**
 * examples/parallel.ts's recipe, chosen there on a validation split, never on the test digits:
 * Adam 1e-2 decaying along a cosine to 5%, 3 epochs; the global batch is 240 (not 256) so that
 * 3 ranks take 80 examples each.
 */
export const SETTINGS = { epochs: 3, lr: 1e-2, batch: 240, seed: 0, checkpointEvery: 10 } as const;

export function mnistSpec(stepsPerEpoch: number): TrainingSpec {
  const { lr, epochs, batch, seed } = SETTINGS;
  return {
    model: mnistMlp(),
    input: { shape: [PIXELS] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: schedules.cosine(lr, epochs * stepsPerEpoch, lr / 20) }),
    batchSize: batch,
    evalBatchSize: 500,
    accuracy: true,
    seed,
  };
}

/** The test digits as the shards store them: bytes, scaled as the schema scales them. */
export function testDigits(): ArrayDataset {
  const { test } = splitDigits(loadDigits(0), 0);
  const x = Float32Array.from(test.x as Float32Array, (v) => Math.round(v * 255) * PIXEL_SCALE);
  return new ArrayDataset(x, test.y, [PIXELS]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, checkpoints: { type: 'string' }, out: { type: 'string' }, kill: { type: 'string' } } });
  if (!values.data || !values.checkpoints) throw new Error('usage: distributed_rank.ts --data <dir> --checkpoints <dir> [--out result.json] [--kill rank:steps]');
  const comm = await MpiCommunicator.create();
  const { restart } = launchAttempt();
  const data = await ParquetDataset.open(values.data, { rank: comm.rank, size: comm.size, schema: MNIST_SCHEMA });
  const stepsPerEpoch = Math.floor(data.examplesPerEpoch / (SETTINGS.batch / comm.size));
  const program = compileParallelTraining(mnistSpec(stepsPerEpoch), { devices: comm.size, strategy: 'data' });
  const checkpoint = join(values.checkpoints, 'mnist-mlp.safetensors');
  const resume = await resumePoint(checkpoint);
  const [killRank, killAfter] = (values.kill ?? '-1:-1').split(':').map(Number);
  if (comm.rank === 0) console.log(`rank 0 of ${comm.size}: restart ${restart}, ${resume ? `resuming at step ${resume.startStep}` : 'starting at step 0'}, ${stepsPerEpoch} steps per epoch`);

  const engine = await loadRank(comm, program);
  try {
    const result = await fitRank(engine, data, {
      epochs: SETTINGS.epochs,
      seed: SETTINGS.seed,
      ...(resume ?? {}),
      checkpoint: { path: checkpoint, every: SETTINGS.checkpointEvery },
      test: testDigits(),
      returnStates: false,
      afterStep: (steps) => {
        if (restart === 0 && comm.rank === killRank && steps === killAfter) process.kill(process.pid, 'SIGKILL');
      },
    });
    if (comm.rank === 0 && values.out) writeFileSync(values.out, JSON.stringify({ restart, steps: result.steps, testAccuracy: result.test?.accuracy, checkpoint }));
  } finally {
    await engine.close();
    await data.close();
  }
  await comm.close();
}

await main();
