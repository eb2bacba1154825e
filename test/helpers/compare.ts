import { expect } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { halfToNumber } from '../../ir/index.js';

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** An element as a number: f16 tensors hold raw half bits on the host. */
function valueAt(t: HostTensor, i: number): number {
  const raw = Number(t.data[i]);
  return t.dtype === 'f16' ? halfToNumber(raw) : raw;
}

/**
 * Whether `actual` is an acceptable value for `expected`. NaN matches only NaN, ±inf only the same
 * inf, and a finite expectation only a finite value within atol + rtol·|expected|. The test is
 * written as "within", not "not beyond": `NaN > tol` is false, so a check of the form `err > tol`
 * lets NaN through.
 */
export function closeEnough(actual: number, expected: number, tol: Tolerance, exact = false): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (exact || !Number.isFinite(expected)) return actual === expected;
  return Number.isFinite(actual) && Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

/**
 * Why `actual` does not match `expected`, or undefined when it does: same dtype and shape, floats
 * within atol + rtol·|expected| (NaN matches only NaN, ±inf only the same inf, a finite
 * expectation only a finite value), other dtypes exactly. Names the worst element and how many
 * differ.
 */
export function mismatch(actual: HostTensor, expected: HostTensor, tol: Tolerance, label = ''): string | undefined {
  if (actual.dtype !== expected.dtype) return `${label}: dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `${label}: shape [${actual.shape.join(',')}], expected [${expected.shape.join(',')}]`;
  }
  if (actual.data.length !== expected.data.length) return `${label}: ${actual.data.length} elements, expected ${expected.data.length}`;
  const exact = actual.dtype !== 'f32' && actual.dtype !== 'f16';
  let bad = 0;
  let worst = -1;
  let worstDiff = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const a = valueAt(actual, i);
    const e = valueAt(expected, i);
    if (closeEnough(a, e, tol, exact)) continue;
    bad++;
    // A NaN or an infinity where it does not belong is the worst kind of difference.
    const diff = Number.isFinite(a) && Number.isFinite(e) ? Math.abs(a - e) : Infinity;
    if (diff > worstDiff) {
      worst = i;
      worstDiff = diff;
    }
  }
  if (bad === 0) return undefined;
  return `${label}: ${bad} of ${expected.data.length} elements differ; worst is element ${worst}: ${valueAt(actual, worst)}, expected ${valueAt(expected, worst)} (dtype ${actual.dtype}, tol ${JSON.stringify(tol)})`;
}

/** Fails the test when `actual` does not match `expected` by the rule of `mismatch`. */
export function expectClose(actual: HostTensor, expected: HostTensor, tol: Tolerance = { rtol: 1e-5, atol: 1e-5 }, label = ''): void {
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label} shape`).toEqual([...expected.shape]);
  expect(actual.data.length, `${label} length`).toBe(expected.data.length);
  const problem = mismatch(actual, expected, tol, label);
  if (problem) expect.fail(problem);
}
