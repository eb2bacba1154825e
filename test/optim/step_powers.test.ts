import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { hostTensor, UsageError } from '../../ir/index.js';
import { Trace } from '../../compiler/dsl/index.js';
import { oneMinusPowerAtStep, powerAtStep } from '../../compiler/optim/step_powers.js';
import type { Tensor } from '../../compiler/dsl/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { thrown } from '../helpers/errors.js';
import { runOnGpu } from '../helpers/gpu.js';
import { rng } from '../helpers/random.js';

/**
 * 1 − β^t (Adam's bias corrections) and γ^t (decay schedules) on the GPU and in the reference
 * interpreter, against float64 for every t below 3000, each digit boundary of the tables and
 * random steps up to 2^32 − 1.
 */
const next = rng(7);
const STEPS = [
  ...Array.from({ length: 3000 }, (_, t) => t),
  ...[2 ** 11, 2 ** 22].flatMap((b) => [b - 1, b, b + 1, 3 * b - 1, 3 * b]),
  ...Array.from({ length: 500 }, () => Math.floor(next() * 2 ** 32)),
  2 ** 32 - 1,
];
const ULP = 2 ** -24;
const SMALLEST_NORMAL = 2 ** -126;

async function evaluate(build: (t: Tensor) => Tensor): Promise<{ gpu: HostTensor; reference: HostTensor }> {
  const trace = new Trace('step_powers');
  trace.output(build(trace.input('t', 'u32', [STEPS.length])), 'value');
  const feeds = { t: hostTensor('u32', [STEPS.length], STEPS) };
  return { gpu: (await runOnGpu(trace.graph, feeds)).value, reference: interpret(trace.graph, feeds).outputs.value };
}

/** The worst relative error in units of 2^-24, over values float32 holds as normal numbers. */
function worstUlps(actual: HostTensor, exact: (t: number) => number): { ulps: number; at: number } {
  let worst = { ulps: 0, at: -1 };
  STEPS.forEach((t, i) => {
    const e = exact(t);
    const a = Number(actual.data[i]);
    let ulps: number;
    if (Math.fround(e) === Infinity) ulps = a === Infinity ? 0 : Infinity;
    else if (e < SMALLEST_NORMAL) ulps = Math.abs(a - e) <= SMALLEST_NORMAL ? 0 : Infinity; // flushed or not
    else ulps = Number.isFinite(a) ? Math.abs(a - e) / e / ULP : Infinity;
    if (ulps > worst.ulps || Number.isNaN(ulps)) worst = { ulps, at: t };
  });
  return worst;
}

describe('1 − β^t', () => {
  it.each([0.9, 0.99, 0.999, 0.9999, 0.99999, 0.5, 0])('β = %s: within 2 ulp of float64 for every u32 t, correctly rounded below t = 2048', async (beta) => {
    const exact = (t: number) => -Math.expm1(t * Math.log(beta));
    const { gpu, reference } = await evaluate((t) => oneMinusPowerAtStep(beta, t));
    for (const [who, out] of [['GPU', gpu], ['reference', reference]] as const) {
      const { ulps, at } = worstUlps(out, (t) => (t === 0 ? 0 : exact(t)));
      expect(ulps, `${who}: worst at t = ${at}`).toBeLessThanOrEqual(2);
      for (let t = 1; t < 2048; t++) expect(out.data[t], `${who}, t = ${t}`).toBe(Math.fround(exact(t)));
    }
  });
});

describe('γ^(t/per)', () => {
  it.each([
    [0.1, 1],
    [0.5, 1],
    [0.8, 1],
    [0.9, 7],
    [0.999, 1],
    [0.5, 30],
    [0.99999, 1],
    [1.5, 1],
    [1, 1],
  ])('γ = %s, per = %s: within 3 ulp of float64 for every u32 t (below the normal range: within 2^-126)', async (gamma, per) => {
    const { gpu, reference } = await evaluate((t) => powerAtStep(gamma, t, per));
    for (const [who, out] of [['GPU', gpu], ['reference', reference]] as const) {
      const { ulps, at } = worstUlps(out, (t) => gamma ** (t / per));
      expect(ulps, `${who}: worst at t = ${at}`).toBeLessThanOrEqual(3);
    }
  });
});

describe('bases outside the domain', () => {
  it.each([
    ['1 − β^t with β = 1', (t: Tensor) => oneMinusPowerAtStep(1, t), /base in \[0, 1\), got 1/],
    ['γ^t with γ = 0', (t: Tensor) => powerAtStep(0, t), /finite positive base, got 0/],
    ['γ^(t/per) with per = 0.5', (t: Tensor) => powerAtStep(0.5, t, 0.5), /period of at least 1 step, got 0.5/],
    ['an f32 step', (t: Tensor) => powerAtStep(0.5, t.cast('f32')), /the step must be a u32 tensor/],
  ])('%s is a UsageError', async (_name, build, message) => {
    const trace = new Trace('bad');
    const error = await thrown(() => build(trace.input('t', 'u32', [1])));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
  });
});
