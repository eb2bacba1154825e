import { expect } from 'vitest';
import type { HostTensor } from '../../ir/index.js';

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** Floats within atol + rtol·|expected| (NaN matches NaN, ±inf match exactly); others exact. */
export function expectClose(actual: HostTensor, expected: HostTensor, tol: Tolerance = { rtol: 1e-5, atol: 1e-5 }, label = ''): void {
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label} shape`).toEqual([...expected.shape]);
  expect(actual.data.length, `${label} length`).toBe(expected.data.length);
  const exact = actual.dtype !== 'f32' && actual.dtype !== 'f16';
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]);
    const e = Number(expected.data[i]);
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e) continue;
    const err = exact || !Number.isFinite(e) ? Infinity : Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (err > 0 && err > worstErr) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    expect.fail(`${label}: element ${worst} is ${actual.data[worst]}, expected ${expected.data[worst]} (dtype ${actual.dtype}, tol ${JSON.stringify(tol)})`);
  }
}
