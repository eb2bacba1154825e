import type { HostTensor } from '../../ir/index.js';
import { formatShape } from '../../ir/index.js';
import type { DecodedTensor } from '../../compiler/onnx/tensor_proto.js';

/** numpy.testing.assert_allclose's rule, with the ONNX backend tests' default tolerances. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export const ONNX_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

const show = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(7));

/** A one-line description of the first mismatch, or undefined when `actual` matches. */
export function compareOutput(name: string, actual: HostTensor, expected: DecodedTensor, tol: Tolerance = ONNX_TOLERANCE): string | undefined {
  const want = expected.tensor;
  if (actual.shape.length !== want.shape.length || actual.shape.some((d, i) => d !== want.shape[i])) {
    return `output '${name}' has shape ${formatShape(actual.shape)}, expected ${formatShape(want.shape)}`;
  }
  if (actual.dtype !== want.dtype) return `output '${name}' has dtype ${actual.dtype}, expected ${want.dtype}`;
  const exact = want.dtype !== 'f32' && want.dtype !== 'f16';
  const values: ArrayLike<number> = expected.wide ?? (want.data as ArrayLike<number>);
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Number(actual.data[i]);
    const e = Number(values[i]);
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const excess = exact || !Number.isFinite(e) ? Infinity : Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (excess > 0 || Number.isNaN(excess)) {
      bad++;
      if (first < 0) first = i;
      worst = Math.max(worst, Math.abs(a - e));
    }
  }
  if (bad === 0) return undefined;
  const a = Number(actual.data[first]);
  const e = Number(values[first]);
  return `output '${name}': ${bad} of ${values.length} elements differ; element ${first} is ${show(a)}, expected ${show(e)} (max |diff| ${show(worst)}, rtol ${tol.rtol}, atol ${tol.atol})`;
}
