import { crossEntropy, nn } from '../../compiler/dsl/index.js';
import { optim } from '../../compiler/optim/index.js';
import type { TrainingSpec } from '../../compiler/train/index.js';
import { rng } from '../helpers/random.js';

export const FEATURES = 4;
export const CLASSES = 3;

/** Examples whose label is the argmax of a fixed linear teacher: learnable, not trivial. */
export function teacherData(examples: number, seed: number): { x: Float32Array; y: Int32Array } {
  const next = rng(seed);
  const teacher = Array.from({ length: FEATURES * CLASSES }, () => next() * 2 - 1);
  const x = new Float32Array(examples * FEATURES).map(() => next() * 2 - 1);
  const y = new Int32Array(examples);
  for (let e = 0; e < examples; e++) {
    const scores = Array.from({ length: CLASSES }, (_, c) => teacher.slice(0, FEATURES).reduce((s, _t, f) => s + x[e * FEATURES + f] * teacher[f * CLASSES + c], 0));
    y[e] = scores.indexOf(Math.max(...scores));
  }
  return { x, y };
}

/** A small classifier with dropout, so reproducibility covers the random streams too. */
export function classifierSpec(seed: number, overrides: Partial<TrainingSpec> = {}): TrainingSpec {
  return {
    model: new nn.Sequential(new nn.Linear(FEATURES, 16), nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(16, CLASSES)),
    input: { shape: [FEATURES] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: 0.03 }),
    batchSize: 16,
    evalBatchSize: 24,
    accuracy: true,
    seed,
    ...overrides,
  };
}

/** Collects what a progress reporter writes. */
export class Captured {
  text = '';
  constructor(readonly isTTY = false) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}
