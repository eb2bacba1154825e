import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../runtime/index.js';
import { Executable, NonFiniteError, NumericError } from '../../runtime/index.js';
import { firstNonFinite } from '../../runtime/numeric_guard.js';
import { floatStepInput, momentumPlan } from './plans.js';
import { bits, thrown } from '../helpers/errors.js';

/**
 * The numeric guard: a run whose outputs or states hold NaN/Inf is reported with its step and
 * the first tensor (outputs in plan order, then states), and can have its state updates undone.
 */

const N = 19;

function poisoned(step: number, index: number, value: number): Float32Array {
  const x = floatStepInput(N, step);
  x[index] = value;
  return x;
}

describe('numeric guard', () => {
  it('reports the step and the first tensor holding a non-finite value, and leaves the states as the run left them', async () => {
    const exe = await Executable.load(await momentumPlan(N), undefined, { numericGuard: true });
    for (let s = 0; s < 3; s++) await exe.run({ x: floatStepInput(N, s) });
    const error = await thrown(() => exe.run({ x: poisoned(3, 7, Infinity) }));
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(error).toBeInstanceOf(NumericError);
    expect((error as NonFiniteError).code).toBe('NUMERIC');
    // loss = sum((w - x)^2) is the first output, and infinite.
    expect(error.message).toBe("plan 'momentum', step 4: output 'loss' holds Infinity at element 0");
    expect((error as NonFiniteError).finding).toEqual({ step: 4, kind: 'output', tensor: 'loss', index: 0, value: Infinity, skipped: false });
    const w = await exe.readState('w');
    // m' = 0.9 m + (w - inf) = -inf, so w' = w - 0.1 m' = +inf.
    expect(firstNonFinite(w)).toEqual({ index: 7, value: Infinity });
    exe.dispose();
  });

  it('checks the states when no output is read, naming the first state and element', async () => {
    const exe = await Executable.load(await momentumPlan(N), undefined, { numericGuard: { states: true } });
    await exe.run({ x: floatStepInput(N, 0) }, { outputs: [] });
    const error = await thrown(() => exe.run({ x: poisoned(1, 11, NaN) }, { outputs: [] }));
    expect((error as NonFiniteError).finding).toMatchObject({ step: 2, kind: 'state', tensor: 'w', index: 11 });
    expect(Number.isNaN((error as NonFiniteError).finding.value)).toBe(true);
    exe.dispose();
  });

  it('with skipUpdate, undoes the bad step: training then continues bit for bit as if it never happened', async () => {
    const plan = await momentumPlan(N);
    const findings: NonFiniteError[] = [];
    const guarded = await Executable.load(plan, undefined, { numericGuard: { skipUpdate: true, onNonFinite: (e) => findings.push(e) } });
    const clean = await Executable.load(plan);
    const losses: number[] = [];
    const cleanLosses: number[] = [];
    for (let s = 0; s < 8; s++) {
      if (s === 4) {
        const before = bits(await guarded.readState('w'));
        const out = await guarded.run({ x: poisoned(s, 2, -Infinity) });
        expect(out.loss.data[0]).toBe(Infinity); // the outputs come back as they are
        expect(bits(await guarded.readState('w'))).toEqual(before);
      }
      losses.push((await guarded.run({ x: floatStepInput(N, s) })).loss.data[0]);
      cleanLosses.push((await clean.run({ x: floatStepInput(N, s) })).loss.data[0]);
    }
    expect(findings).toHaveLength(1);
    expect(findings[0].finding).toEqual({ step: 5, kind: 'output', tensor: 'loss', index: 0, value: Infinity, skipped: true });
    expect(findings[0].message).toMatch(/the state updates of this step were undone$/);
    expect(losses).toEqual(cleanLosses);
    for (const name of ['w', 'm']) expect(bits(await guarded.readState(name)), name).toEqual(bits(await clean.readState(name)));
    // The losses are those of the oracle: momentum SGD in float64 on the same inputs.
    let w = Array.from({ length: N }, (_, i) => Math.sin(i + 1));
    let m = new Array<number>(N).fill(0);
    for (let s = 0; s < 8; s++) {
      const x = floatStepInput(N, s);
      const g = w.map((v, i) => v - x[i]);
      expect(losses[s]).toBeCloseTo(g.reduce((sum, v) => sum + v * v, 0), 3);
      m = m.map((v, i) => 0.9 * v + g[i]);
      w = w.map((v, i) => v - 0.1 * m[i]);
    }
    guarded.dispose();
    clean.dispose();
  });

  it('serializes guarded runs, so concurrent callers each get their own verdict', async () => {
    const exe = await Executable.load(await momentumPlan(N), undefined, { numericGuard: { skipUpdate: true } });
    const results = await Promise.allSettled([0, 1, 2, 3].map((s) => exe.run({ x: s === 2 ? poisoned(s, 0, NaN) : floatStepInput(N, s) })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(((results[2] as PromiseRejectedResult).reason as NonFiniteError).finding.step).toBe(3);
    expect(firstNonFinite(await exe.readState('w'))).toBeUndefined();
    exe.dispose();
  });

  it('finds non-finite f16 values by their bits', () => {
    const f16 = (bitsOf: number[]): HostTensor => ({ dtype: 'f16', shape: [bitsOf.length], data: Uint16Array.from(bitsOf) });
    expect(firstNonFinite(f16([0x3c00, 0x7bff, 0xfbff]))).toBeUndefined(); // 1, ±65504
    expect(firstNonFinite(f16([0x3c00, 0xfc00]))).toEqual({ index: 1, value: -Infinity });
    expect(firstNonFinite(f16([0x7c00]))).toEqual({ index: 0, value: Infinity });
    expect(Number.isNaN(firstNonFinite(f16([0, 0x7e00]))!.value)).toBe(true);
    expect(firstNonFinite({ dtype: 'i32', shape: [1], data: Int32Array.of(-1) })).toBeUndefined();
  });
});
