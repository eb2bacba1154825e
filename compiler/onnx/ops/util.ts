import type { Dim, DType, Value } from '../../../ir/index.js';
import { dimProduct as productOfDims, formatShape, ModelFormatError, ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';

/** Helpers the op families share: required inputs, static shapes, axes, casts. */

export function input(node: OnnxNodeView, index: number, what = `input ${index}`): Value {
  const v = node.inputs[index];
  if (!v) throw new ModelFormatError(`${node.where}: missing required ${what}`);
  return v;
}

export function rank(v: Value): number {
  return v.type.shape.length;
}

/** The static shape of a value; an UnsupportedOpError when a dim is symbolic. */
export function staticShape(node: OnnxNodeView, v: Value, what = 'input'): number[] {
  const shape = v.type.shape;
  if (shape.some((d) => typeof d !== 'number')) {
    throw new UnsupportedOpError(`${node.where}: needs a static shape for its ${what}, got ${formatShape(shape)}; give the model's inputs static shapes`);
  }
  return shape as number[];
}

export function staticDim(node: OnnxNodeView, v: Value, axis: number, what = 'input'): number {
  const d = v.type.shape[axis];
  if (typeof d !== 'number') throw new UnsupportedOpError(`${node.where}: needs dim ${axis} of its ${what} to be static, got '${d}'`);
  return d;
}

/**
 * Elements an op may compute on the host at import time (EyeLike, Range, einsum's diagonal
 * masks). Past it the import is refused before anything is allocated: hostile dims would
 * otherwise allocate gigabytes or throw a RangeError.
 */
export const MAX_HOST_ELEMENTS = 1 << 24;

export function checkHostElements(node: OnnxNodeView, count: number, what: string): void {
  if (!(count <= MAX_HOST_ELEMENTS)) throw new UnsupportedOpError(`${node.where}: ${what} would hold ${count} elements, more than the ${MAX_HOST_ELEMENTS} computed at import time`);
}

export function normAxis(node: OnnxNodeView, axis: number, r: number): number {
  const a = axis < 0 ? axis + r : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(r, 1)) throw new ShapeError(`${node.where}: axis ${axis} is out of range for rank ${r}`);
  return a;
}

export function castTo(ctx: ImportContext, v: Value, dtype: DType): Value {
  return v.type.dtype === dtype ? v : ctx.op('cast', [v], { to: dtype });
}

export function reshape(ctx: ImportContext, v: Value, shape: readonly Dim[]): Value {
  const same = shape.length === rank(v) && shape.every((d, i) => d === v.type.shape[i]);
  return same ? v : ctx.op('reshape', [v], { shape: [...shape] });
}

/** Product of dims: a size, or an expression of the symbolic ones (N·C·H). */
export function dimProduct(_node: OnnxNodeView, dims: readonly Dim[]): Dim {
  return productOfDims(dims);
}

/** Axes for reductions over the trailing dims from `axis`. */
export function trailingAxes(axis: number, r: number): number[] {
  return Array.from({ length: r - axis }, (_, i) => axis + i);
}

/** Reshapes a per-channel vector [C] to broadcast against [N, C, spatial...] of rank r. */
export function perChannel(ctx: ImportContext, v: Value, r: number): Value {
  if (rank(v) !== 1 || r < 2) return v;
  return reshape(ctx, v, [v.type.shape[0], ...new Array<number>(r - 2).fill(1)]);
}

/** An integer attribute used as a boolean. */
export function flag(node: OnnxNodeView, name: string, fallback: boolean): boolean {
  return node.attrs.int(name, fallback ? 1 : 0) !== 0;
}
