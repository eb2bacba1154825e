import { describe, expect, it } from 'vitest';
import { UsageError } from '../../ir/index.js';
import { optim } from '../../compiler/optim/index.js';
import type { Optimizer } from '../../compiler/optim/index.js';
import { buildTrainingGraph } from '../../compiler/train/index.js';
import { mse, nn } from '../../compiler/dsl/index.js';
import { thrown } from '../helpers/errors.js';
import { OPTIMIZER_CASES } from './cases.js';
import type { Allowance, Checkpoints, Float64Run } from './training_runs.js';
import { excess, trainFloat32, trainFloat64, trainingData, trainOnGpu, trainOnReference } from './training_runs.js';
import type { Parameters } from './textbook.js';
import { PARAMETER_NAMES } from './textbook.js';

/**
 * Every optimizer, option and schedule trained 100 steps from the same parameters on the same
 * batches: the compiled step on the GPU and in the reference interpreter (float32), each held
 * to the documented formula evaluated in float64 (test/optim/textbook.ts) after 1, 10 and 100
 * steps, on every element.
 *
 * The allowance is what float32 arithmetic needs: 1e-6 of the distance each parameter
 * travelled, plus a few float32 spacings of the parameter for storing it each step. The
 * float32 evaluation of the same formulas (with exactly rounded scalars) needs at most 0.5,
 * 0.8 and 2.1 of those spacings after 1, 10 and 100 steps; the GPU and the reference needed the
 * same (docs/optimizers.md). A relative error of 1e-6 in every update (Adam's old
 * `1 − pow(β2, t)` was 5e-5 off, tfjs's 6.4e-6) exceeds it at once.
 */
const STEPS = 100;
const AT = [1, 10, 100] as const;
const ALLOWANCE: Record<(typeof AT)[number], Allowance> = {
  1: { rate: 1e-6, ulps: 1 },
  10: { rate: 1e-6, ulps: 4 },
  100: { rate: 1e-6, ulps: 10 },
};

const { initial, batches } = trainingData(STEPS);

function expectWithinFloat32(run: Checkpoints, exact: Float64Run, who: string): void {
  for (const step of AT) {
    const { rate, ulps } = ALLOWANCE[step];
    const e = excess(run.get(step)!, exact, step, rate);
    expect(e.ulps, `${who} after ${step} steps: ${e.worst}`).toBeLessThanOrEqual(ulps);
  }
}

describe.each(OPTIMIZER_CASES)('$name, 100 steps against float64', ({ optimizer, textbook }) => {
  const exact = trainFloat64(textbook, initial, batches, AT);

  it('the float32 evaluation of the formula is within the allowance, and every parameter moved', () => {
    expectWithinFloat32(trainFloat32(textbook, initial, batches, AT), exact, 'float32 textbook');
    for (const name of PARAMETER_NAMES) for (const d of exact.path.get(1)![name]) expect(d, name).toBeGreaterThan(1e-4);
  });

  it('on the GPU', async () => {
    expectWithinFloat32(await trainOnGpu(optimizer, initial, batches, AT), exact, 'GPU');
  });

  it('in the reference interpreter', () => {
    expectWithinFloat32(trainOnReference(optimizer, initial, batches, AT), exact, 'reference');
  });
});

describe('the allowance', () => {
  it('rejects a relative error of 2e-6 in every update of Adam, at 1 and at 10 steps (tfjs: 6.4e-6 off at the first update; the old pow: 5e-5)', () => {
    const adam = OPTIMIZER_CASES.find((c) => c.name === 'adam')!.textbook;
    const exact = trainFloat64(adam, initial, batches, AT);
    const biased = trainFloat64({ ...adam, lr: { kind: 'constant', lr: 0.01 * (1 + 2e-6) } }, initial, batches, AT);
    expect(excess(biased.params.get(1)!, exact, 1, ALLOWANCE[1].rate).ulps).toBeGreaterThan(ALLOWANCE[1].ulps);
    expect(excess(biased.params.get(10)!, exact, 10, ALLOWANCE[10].rate).ulps).toBeGreaterThan(ALLOWANCE[10].ulps);
  });
});

describe('a step whose gradients are not finite', () => {
  it('leaves every parameter and moment as it was, on the GPU and in the reference', async () => {
    const poisoned = batches.slice(0, 10).map((b, s) => (s === 4 ? { x: b.x.map((v, i) => (i === 0 ? NaN : v)), y: b.y } : b));
    const optimizer = optim.adam({ lr: 0.01, skipNonFinite: true });
    const textbook = { kind: 'adam', lr: { kind: 'constant', lr: 0.01 }, skipNonFinite: true } as const;
    const at = [4, 5, 10];
    const exact = trainFloat64(textbook, initial, poisoned, at);
    for (const [who, run] of [
      ['GPU', await trainOnGpu(optimizer, initial, poisoned, at)],
      ['reference', trainOnReference(optimizer, initial, poisoned, at)],
    ] as const) {
      const same = (a: Parameters, b: Parameters) => PARAMETER_NAMES.every((n) => a[n].every((v, i) => v === b[n][i]));
      expect(same(run.get(4)!, run.get(5)!), `${who}: step 5 changed the parameters`).toBe(true);
      const e = excess(run.get(10)!, exact, 10, ALLOWANCE[10].rate);
      expect(e.ulps, `${who}: ${e.worst}`).toBeLessThanOrEqual(ALLOWANCE[10].ulps);
    }
  });
});

describe('hyperparameters outside their domain', () => {
  const build = (optimizer: Optimizer) => () =>
    buildTrainingGraph({ model: new nn.Linear(2, 1), input: { shape: [2] }, target: { shape: [1] }, loss: mse, optimizer, batchSize: 2 });
  it.each([
    ['adam beta2 = 1', optim.adam({ lr: 0.1, beta2: 1 }), /beta2 is 1; it must be in \[0, 1\)/],
    ['adam beta1 < 0', optim.adam({ lr: 0.1, beta1: -0.1 }), /beta1 is -0.1/],
    ['rmsprop alpha > 1', optim.rmsprop({ lr: 0.1, alpha: 1.5 }), /alpha is 1.5/],
    ['sgd lr NaN', optim.sgd({ lr: NaN }), /lr is NaN/],
    ['clipNorm 0', optim.sgd({ lr: 0.1, clipNorm: 0 }), /clipNorm is 0/],
  ] as const)('%s is a UsageError naming it', async (_name, optimizer, message) => {
    const error = await thrown(build(optimizer));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
  });
});
