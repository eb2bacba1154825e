import type { HostTensor } from '../../ir/index.js';
import { formatShape, halfToNumber } from '../../ir/index.js';
import type { DecodedTensor } from '../../compiler/onnx/tensor_proto.js';

/** numpy.testing.assert_allclose's rule, with the ONNX backend tests' default tolerances. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export const ONNX_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

const show = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(7));

/**
 * NaN matches only NaN, ±inf only the same inf, a finite expectation only a finite value within
 * atol + rtol·|expected|: written as "within", since `NaN > tol` is false.
 */
function matches(a: number, e: number, tol: Tolerance, exact: boolean): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (exact || !Number.isFinite(e)) return a === e;
  return Number.isFinite(a) && Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
}

/** A one-line description of the first mismatch, or undefined when `actual` matches. */
export function compareOutput(name: string, actual: HostTensor, expected: DecodedTensor, tol: Tolerance = ONNX_TOLERANCE): string | undefined {
  const want = expected.tensor;
  if (actual.shape.length !== want.shape.length || actual.shape.some((d, i) => d !== want.shape[i])) {
    return `output '${name}' has shape ${formatShape(actual.shape)}, expected ${formatShape(want.shape)}`;
  }
  if (actual.dtype !== want.dtype) return `output '${name}' has dtype ${actual.dtype}, expected ${want.dtype}`;
  const exact = want.dtype !== 'f32' && want.dtype !== 'f16';
  // f16 tensors hold raw half bits on the host: compare their values.
  const half = want.dtype === 'f16';
  const valueOf = (data: ArrayLike<number>, i: number) => (half ? halfToNumber(Number(data[i])) : Number(data[i]));
  const values: ArrayLike<number> = expected.wide ?? (want.data as ArrayLike<number>);
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const a = valueOf(actual.data, i);
    const e = expected.wide ? values[i] : valueOf(values, i);
    if (matches(a, e, tol, exact)) continue;
    bad++;
    if (first < 0) first = i;
    // A NaN or an infinity where it does not belong is the largest difference there is.
    worst = Math.max(worst, Number.isFinite(a) && Number.isFinite(e) ? Math.abs(a - e) : Infinity);
  }
  if (bad === 0) return undefined;
  const a = valueOf(actual.data, first);
  const e = expected.wide ? values[first] : valueOf(values, first);
  return `output '${name}': ${bad} of ${values.length} elements differ; element ${first} is ${show(a)}, expected ${show(e)} (max |diff| ${show(worst)}, rtol ${tol.rtol}, atol ${tol.atol})`;
}
