import { afterAll, describe, expect, it } from 'vitest';
import { hostTensor } from '../../ir/index.js';
import { nn } from '../../compiler/dsl/index.js';
import { mse } from '../../compiler/dsl/losses.js';
import type { Optimizer } from '../../compiler/optim/index.js';
import { optim, schedules } from '../../compiler/optim/index.js';
import { compileTraining } from '../../compiler/train/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import type { Batch, RefConfig } from './reference.js';
import { referenceTraining } from './reference.js';

const IN = 3;
const OUT = 2;
const BATCH = 4;
const STEPS = 5;

const w0 = [...randomTensor('f32', [IN, OUT], 1, -1, 1).data];
const b0 = [...randomTensor('f32', [OUT], 2, -0.5, 0.5).data];
const batches: Batch[] = Array.from({ length: STEPS }, (_, s) => ({
  x: randomTensor('f32', [BATCH, IN], 10 + s).data as Float32Array,
  y: randomTensor('f32', [BATCH, OUT], 20 + s).data as Float32Array,
}));

const executables: Executable[] = [];
afterAll(() => executables.forEach((e) => e.dispose()));

/** Trains Linear(3, 2) for a few steps on the GPU; returns the final weight and bias. */
async function trainOnGpu(optimizer: Optimizer, feed: Batch[] = batches): Promise<{ w: Float32Array; b: Float32Array }> {
  const model = new nn.Linear(IN, OUT);
  model.namedParameters();
  model.weight.value = hostTensor('f32', [IN, OUT], w0);
  model.bias!.value = hostTensor('f32', [OUT], b0);
  const device = await getDefaultDevice();
  const program = compileTraining({ model, input: { shape: [IN] }, target: { shape: [OUT] }, loss: mse, optimizer, batchSize: BATCH, limits: device.limits });
  const exe = await Executable.load(program.train, device);
  executables.push(exe);
  for (const batch of feed) exe.dispatch({ x: batch.x, y: batch.y }, { outputs: [] });
  const w = await exe.readState('weight');
  const b = await exe.readState('bias');
  return { w: w.data as Float32Array, b: b.data as Float32Array };
}

async function expectMatches(optimizer: Optimizer, config: RefConfig, feed: Batch[] = batches): Promise<void> {
  const gpu = await trainOnGpu(optimizer, feed);
  const ref = referenceTraining(config, w0, b0, feed, IN, OUT);
  const tol = { rtol: 1e-4, atol: 2e-5 };
  expectClose({ dtype: 'f32', shape: [IN, OUT], data: gpu.w }, hostTensor('f32', [IN, OUT], ref.w), tol, 'weight');
  expectClose({ dtype: 'f32', shape: [OUT], data: gpu.b }, hostTensor('f32', [OUT], ref.b), tol, 'bias');
  // The parameters moved: the comparison is not of two untouched initial values.
  expect(Math.abs(gpu.w[0] - w0[0]) + Math.abs(gpu.b[0] - b0[0])).toBeGreaterThan(1e-4);
}

const constant = (lr: number) => () => lr;

describe('optimizer steps on the GPU equal a hand-written reference', () => {
  it('sgd', () => expectMatches(optim.sgd({ lr: 0.1 }), { kind: 'sgd', lr: constant(0.1) }));
  it('sgd with momentum', () => expectMatches(optim.sgd({ lr: 0.05, momentum: 0.9 }), { kind: 'sgd', lr: constant(0.05), momentum: 0.9 }));
  it('sgd with Nesterov momentum', () => expectMatches(optim.sgd({ lr: 0.05, momentum: 0.8, nesterov: true }), { kind: 'sgd', lr: constant(0.05), momentum: 0.8, nesterov: true }));
  it('adam', () => expectMatches(optim.adam({ lr: 0.01, beta1: 0.8, beta2: 0.95 }), { kind: 'adam', lr: constant(0.01), beta1: 0.8, beta2: 0.95 }));
  it('adamW', () => expectMatches(optim.adamW({ lr: 0.01, weightDecay: 0.1 }), { kind: 'adamw', lr: constant(0.01), weightDecay: 0.1 }));
  it('rmsprop', () => expectMatches(optim.rmsprop({ lr: 0.01 }), { kind: 'rmsprop', lr: constant(0.01) }));
  it('rmsprop centered with momentum', () =>
    expectMatches(optim.rmsprop({ lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5 }), { kind: 'rmsprop', lr: constant(0.01), alpha: 0.9, centered: true, momentum: 0.5 }));
});

describe('regularization, clipping and schedules', () => {
  it('L2', () => expectMatches(optim.sgd({ lr: 0.1, l2: 0.5 }), { kind: 'sgd', lr: constant(0.1), l2: 0.5 }));
  it('L1', () => expectMatches(optim.sgd({ lr: 0.1, l1: 0.05 }), { kind: 'sgd', lr: constant(0.1), l1: 0.05 }));
  it('decoupled weight decay on SGD', () => expectMatches(optim.sgd({ lr: 0.1, weightDecay: 0.3 }), { kind: 'sgd', lr: constant(0.1), weightDecay: 0.3 }));
  it('L2 with Adam (coupled, unlike AdamW)', () => expectMatches(optim.adam({ lr: 0.01, l2: 0.2 }), { kind: 'adam', lr: constant(0.01), l2: 0.2 }));
  it('global-norm clipping', () => expectMatches(optim.sgd({ lr: 0.1, clipNorm: 0.3 }), { kind: 'sgd', lr: constant(0.1), clipNorm: 0.3 }));
  it('step schedule', () =>
    expectMatches(optim.sgd({ lr: schedules.step(0.2, 2, 0.5) }), { kind: 'sgd', lr: (t) => 0.2 * 0.5 ** Math.floor(t / 2) }));
  it('cosine schedule', () =>
    expectMatches(optim.sgd({ lr: schedules.cosine(0.2, 4, 0.01) }), { kind: 'sgd', lr: (t) => 0.01 + (0.19 * (1 + Math.cos((Math.PI * Math.min(t, 4)) / 4))) / 2 }));
  it('linear warm-up into a constant rate', () =>
    expectMatches(optim.sgd({ lr: schedules.warmup(3, 0.3) }), { kind: 'sgd', lr: (t) => 0.3 * Math.min(1, (t + 1) / 3) }));
  it('skips the update of a step whose gradients are not finite', async () => {
    const poisoned = batches.map((b, s) => (s === 2 ? { x: b.x.map((v, i) => (i === 0 ? NaN : v)), y: b.y } : b));
    await expectMatches(optim.adam({ lr: 0.01, skipNonFinite: true }), { kind: 'adam', lr: constant(0.01), skipNonFinite: true }, poisoned);
  });
});
