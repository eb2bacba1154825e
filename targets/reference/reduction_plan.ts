import type { DType, StaticShape } from '../../ir/index.js';
import { numel, stridesOf } from '../../ir/index.js';

/**
 * How a reduction walks its input: one `base` flat index per kept position (row-major over the
 * dims that are not reduced, which is also the output's order, keepdims or not) and the flat
 * `offsets` of every reduced coordinate combination (row-major over the reduced dims).
 * Input element (kept k, reduced r) is at `bases[k] + offsets[r]`.
 */
export interface ReductionPlan {
  readonly bases: readonly number[];
  readonly offsets: readonly number[];
}

/** Flat offsets of every coordinate combination of `dims` (a subset of the shape's dims). */
function flatOffsets(shape: StaticShape, strides: readonly number[], dims: readonly number[]): number[] {
  const sub = dims.map((d) => shape[d]);
  const n = numel(sub);
  const out = new Array<number>(n);
  const coord = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let flat = 0;
    for (let k = 0; k < dims.length; k++) flat += coord[k] * strides[dims[k]];
    out[i] = flat;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++coord[k] < sub[k]) break;
      coord[k] = 0;
    }
  }
  return out;
}

/** `axes` must be normalized (non-negative, distinct). */
export function reductionPlan(shape: StaticShape, axes: readonly number[]): ReductionPlan {
  const strides = stridesOf(shape);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return { bases: flatOffsets(shape, strides, kept), offsets: flatOffsets(shape, strides, axes) };
}

/**
 * Scalar arithmetic with the device's semantics: i32/u32 wrap modulo 2³² at every step (as
 * WGSL's integer + and * do); floats are plain JS numbers (f64 while computing).
 */
export function addFor(dtype: DType): (a: number, b: number) => number {
  if (dtype === 'i32') return (a, b) => (a + b) | 0;
  if (dtype === 'u32') return (a, b) => (a + b) >>> 0;
  return (a, b) => a + b;
}

export function mulFor(dtype: DType): (a: number, b: number) => number {
  if (dtype === 'i32') return (a, b) => Math.imul(a, b);
  if (dtype === 'u32') return (a, b) => Math.imul(a, b) >>> 0;
  return (a, b) => a * b;
}

/** The smallest and largest values of a dtype: identities of max and min over an empty set. */
export function lowestOf(dtype: DType): number {
  return dtype === 'i32' ? -2147483648 : dtype === 'u32' ? 0 : -Infinity;
}

export function highestOf(dtype: DType): number {
  return dtype === 'i32' ? 2147483647 : dtype === 'u32' ? 4294967295 : Infinity;
}
