/**
 * Rematerialization to a memory budget. The default export is the training step of a CNN deep
 * enough for the budget to matter: six 3×3 convolutions with batch normalization at full
 * resolution, whose activations the backward pass reads. `compileTraining(spec, { memoryBudget })`
 * (or `dawnflow compile|inspect examples/remat.ts --memory-budget <size>`) recomputes the cheap
 * ones when the backward pass reaches them instead of keeping them.
 *
 *   npm run example:remat      # the arena with and without a budget of half of it, and 20 steps of both
 */
import { pathToFileURL } from 'node:url';
import { compileTraining, crossEntropy, getDefaultDevice, nn, optim, Trainer } from '../index.js';
import type { TrainingSpec } from '../index.js';

const CHANNELS = 8;
const DEPTH = 6;

function convBlock(inChannels: number): nn.Module[] {
  return [new nn.Conv2d(inChannels, CHANNELS, 3, { padding: 1 }), new nn.BatchNorm(CHANNELS), nn.ReLU()];
}

export function rematCnn(): nn.Module {
  const blocks = Array.from({ length: DEPTH }, (_, i) => convBlock(i === 0 ? 1 : CHANNELS)).flat();
  return new nn.Sequential(...blocks, new nn.AvgPool2d(4), new nn.Flatten(), new nn.Dropout(0.1), new nn.Linear(CHANNELS * 7 * 7, 10));
}

const spec: TrainingSpec = {
  model: rematCnn(),
  input: { shape: [1, 28, 28] },
  target: { shape: [], dtype: 'i32' },
  loss: crossEntropy,
  optimizer: optim.adam({ lr: 1e-3 }),
  batchSize: 8,
  accuracy: true,
  seed: 7,
};
export default spec;

/** Seeded images and labels (mulberry32): the same batches for both plans. */
export function syntheticBatches(steps: number, seed = 1): { x: Float32Array; y: Int32Array }[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pixels = 28 * 28;
  return Array.from({ length: steps }, () => ({
    x: Float32Array.from({ length: spec.batchSize * pixels }, next),
    y: Int32Array.from({ length: spec.batchSize }, () => Math.floor(next() * 10)),
  }));
}

async function main(): Promise<void> {
  const device = await getDefaultDevice();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const free = compileTraining({ ...spec, limits: device.limits });
  const budget = Math.floor(free.train.memory.arenaBytes / 2);
  const started = performance.now();
  const tight = compileTraining({ ...spec, limits: device.limits }, { memoryBudget: budget });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const m = tight.train.memory;
  console.log(`unconstrained: arena ${kib(free.train.memory.arenaBytes)}, ${free.train.steps.length} dispatches per step`);
  console.log(`budget ${kib(budget)}: arena ${kib(m.arenaBytes)}, ${m.recomputedKernels} kernels recomputed, ${tight.train.steps.length} dispatches per step (planned in ${seconds} s)`);
  const batches = syntheticBatches(20);
  const losses: number[][] = [];
  for (const program of [free, tight]) {
    const trainer = await Trainer.load(program, device);
    const run = batches.map(({ x, y }) => trainer.step(x, y));
    losses.push(await Promise.all(run.map((r) => r.loss())));
    trainer.dispose();
  }
  const same = losses[0].every((l, i) => Object.is(l, losses[1][i]));
  console.log(`20 steps: losses ${same ? 'bit-identical' : 'DIFFER'} (first ${losses[0][0]}, last ${losses[0][19]})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
