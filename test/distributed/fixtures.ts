import { crossEntropy, nn } from '../../compiler/dsl/index.js';
import { optim } from '../../compiler/optim/index.js';
import type { TrainingSpec } from '../../compiler/train/index.js';
import { compileTraining } from '../../compiler/train/index.js';
import type { HostTensor } from '../../ir/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { ArrayDataset, Trainer } from '../../runtime/training/index.js';
import { FEATURES, teacherData } from '../train/fixtures.js';

/** A global batch every rank count of the tests divides (2, 3, 4) and micro-batch counts too. */
export const GLOBAL_BATCH = 24;
/** 20 steps per epoch. */
export const EXAMPLES = GLOBAL_BATCH * 20;

/** A 5-layer MLP (3 Linear layers): enough layers to cut into 2 or 3 pipeline stages, no dropout. */
export function mlpSpec(seed: number, overrides: Partial<TrainingSpec> = {}): TrainingSpec {
  return {
    model: new nn.Sequential(new nn.Linear(FEATURES, 16), nn.ReLU(), new nn.Linear(16, 12), nn.Tanh(), new nn.Linear(12, 3)),
    input: { shape: [FEATURES] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: 0.01 }),
    batchSize: GLOBAL_BATCH,
    evalBatchSize: 32,
    accuracy: true,
    seed,
    ...overrides,
  };
}

const data = teacherData(EXAMPLES, 3);
export const dataset = new ArrayDataset(data.x, data.y, [FEATURES]);

/** Single-device training of the same spec over the same data order: the oracle of every parallel run. */
export async function singleDeviceStates(spec: TrainingSpec, steps: number, seed: number): Promise<Record<string, HostTensor>> {
  const device = await getDefaultDevice();
  const trainer = await Trainer.load(compileTraining({ ...spec, limits: device.limits }), device);
  try {
    const perEpoch = Math.floor(dataset.size / spec.batchSize);
    await trainer.fit(dataset, { epochs: Math.ceil(steps / perEpoch), seed, progress: 'none' });
    return await trainer.snapshot();
  } finally {
    trainer.dispose();
  }
}

/** max |a − b| / max |b| over one tensor: the relative difference a parameter is judged by. */
export function relativeDifference(a: HostTensor, b: HostTensor): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.data.length; i++) {
    const x = Number(a.data[i]);
    const y = Number(b.data[i]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return Infinity;
    diff = Math.max(diff, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(y));
  }
  return scale === 0 ? diff : diff / scale;
}

export const bits = (t: HostTensor): number[] => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4));

export const PARAMETERS = ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias', 'layers.4.weight', 'layers.4.bias'];
