import type { DType } from '../dtype.js';
import { parseDType } from '../dtype.js';
import { DTypeError, ShapeError, UnsupportedOpError } from '../errors.js';
import { registerOp } from '../registry.js';
import type { Dim, Shape } from '../shape.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { TensorType } from '../tensor.js';

/**
 * Data-dependent indexing (ONNX GatherElements, GatherND, ScatterElements, ScatterND, OneHot,
 * Trilu). Indices are i32 (u32 accepted); negative indices count from the end of their axis.
 * An index outside [-dim, dim) is bad input: the reference interpreter throws InputError, the
 * GPU clamps it so it never reads or writes out of bounds.
 */

export const SCATTER_REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'] as const;
export type ScatterReduction = (typeof SCATTER_REDUCTIONS)[number];

function checkIndices(t: TensorType, where: string): void {
  if (t.dtype !== 'i32' && t.dtype !== 'u32') throw new DTypeError(`${where}: indices have dtype ${t.dtype}, expected i32`);
}

function checkReduction(reduction: string, dtype: DType, where: string): void {
  if (!(SCATTER_REDUCTIONS as readonly string[]).includes(reduction)) {
    throw new UnsupportedOpError(`${where}: unknown reduction '${reduction}' (expected one of ${SCATTER_REDUCTIONS.join(', ')})`);
  }
  if (reduction !== 'none' && dtype === 'bool') throw new DTypeError(`${where}: reduction '${reduction}' needs a numeric tensor, got bool`);
}

/** The size of the last dim of an index tuple tensor, which must be static. */
function tupleLength(indices: TensorType, where: string): number {
  const m = indices.shape[indices.shape.length - 1];
  if (typeof m !== 'number') throw new ShapeError(`${where}: the last dim of indices must be static, got '${m}'`);
  return m;
}

function sameDim(a: Dim, b: Dim): boolean {
  return a === b || typeof a === 'string' || typeof b === 'string';
}

/** Off the axis, indices may be smaller than data but never larger (ONNX *Elements ops). */
function checkElementsShapes(data: TensorType, indices: TensorType, axis: number, where: string): void {
  if (indices.shape.length !== data.shape.length) {
    throw new ShapeError(`${where}: indices ${formatShape(indices.shape)} must have the rank of data ${formatShape(data.shape)}`);
  }
  indices.shape.forEach((d, i) => {
    const dd = data.shape[i];
    if (i !== axis && typeof d === 'number' && typeof dd === 'number' && d > dd) {
      throw new ShapeError(`${where}: indices ${formatShape(indices.shape)} exceed data ${formatShape(data.shape)} at dim ${i}`);
    }
  });
}

/** gatherElements(data, indices) {axis}: out[i..] = data[i.. with axis replaced by indices[i..]]. */
registerOp({
  name: 'gatherElements',
  category: 'injective',
  arity: [2, 2],
  attrs: { axis: { kind: 'int', default: 0 } },
  infer([data, indices], attrs, { where }) {
    checkIndices(indices, where);
    const axis = normalizeAxis(attrs.axis as number, data.shape.length, where);
    checkElementsShapes(data, indices, axis, where);
    return [{ dtype: data.dtype, shape: [...indices.shape] }];
  },
});

/**
 * gatherND(data, indices) {batchDims}: each index tuple (the last dim of indices) selects an
 * element or slice of data; the first batchDims dims of both are shared batch dims.
 */
registerOp({
  name: 'gatherND',
  category: 'injective',
  arity: [2, 2],
  attrs: { batchDims: { kind: 'int', default: 0 } },
  infer([data, indices], attrs, { where }) {
    checkIndices(indices, where);
    const r = data.shape.length;
    const q = indices.shape.length;
    const b = attrs.batchDims as number;
    if (r < 1 || q < 1) throw new ShapeError(`${where}: data and indices must have rank ≥ 1`);
    if (b < 0 || b >= Math.min(r, q)) throw new ShapeError(`${where}: batchDims ${b} must be in [0, ${Math.min(r, q)})`);
    const m = tupleLength(indices, where);
    if (m < 1 || m > r - b) throw new ShapeError(`${where}: index tuples of length ${m} do not fit data of rank ${r} with ${b} batch dims`);
    for (let i = 0; i < b; i++) {
      if (!sameDim(data.shape[i], indices.shape[i])) {
        throw new ShapeError(`${where}: batch dim ${i} differs: data ${formatShape(data.shape)}, indices ${formatShape(indices.shape)}`);
      }
    }
    return [{ dtype: data.dtype, shape: [...indices.shape.slice(0, q - 1), ...data.shape.slice(b + m)] }];
  },
});

/**
 * scatterElements(data, indices, updates) {axis, reduction}: a copy of data where each update
 * goes to its own position with the axis coordinate replaced by its index. Updates apply in
 * row-major order, so with reduction 'none' the last one to hit an element wins.
 */
registerOp({
  name: 'scatterElements',
  category: 'opaque',
  arity: [3, 3],
  attrs: { axis: { kind: 'int', default: 0 }, reduction: { kind: 'string', default: 'none' } },
  infer([data, indices, updates], attrs, { where }) {
    checkIndices(indices, where);
    checkReduction(attrs.reduction as string, data.dtype, where);
    if (updates.dtype !== data.dtype) throw new DTypeError(`${where}: updates have dtype ${updates.dtype}, data ${data.dtype}; they must match`);
    const axis = normalizeAxis(attrs.axis as number, data.shape.length, where);
    checkElementsShapes(data, indices, axis, where);
    if (updates.shape.length !== indices.shape.length || !updates.shape.every((d, i) => sameDim(d, indices.shape[i]))) {
      throw new ShapeError(`${where}: updates ${formatShape(updates.shape)} must have the shape of indices ${formatShape(indices.shape)}`);
    }
    return [{ dtype: data.dtype, shape: [...data.shape] }];
  },
});

/**
 * scatterND(data, indices, updates) {reduction}: each index tuple (the last dim of indices, k
 * long) addresses an element or slice of data that the matching update replaces or combines
 * with. Updates apply in order, so with reduction 'none' the last one wins.
 */
registerOp({
  name: 'scatterND',
  category: 'opaque',
  arity: [3, 3],
  attrs: { reduction: { kind: 'string', default: 'none' } },
  infer([data, indices, updates], attrs, { where }) {
    checkIndices(indices, where);
    checkReduction(attrs.reduction as string, data.dtype, where);
    if (updates.dtype !== data.dtype) throw new DTypeError(`${where}: updates have dtype ${updates.dtype}, data ${data.dtype}; they must match`);
    const r = data.shape.length;
    const q = indices.shape.length;
    if (r < 1 || q < 1) throw new ShapeError(`${where}: data and indices must have rank ≥ 1`);
    const k = tupleLength(indices, where);
    if (k < 1 || k > r) throw new ShapeError(`${where}: index tuples of length ${k} do not fit data of rank ${r}`);
    const want: Shape = [...indices.shape.slice(0, q - 1), ...data.shape.slice(k)];
    if (updates.shape.length !== want.length || !updates.shape.every((d, i) => sameDim(d, want[i]))) {
      throw new ShapeError(`${where}: updates ${formatShape(updates.shape)} must have shape ${formatShape(want)}`);
    }
    return [{ dtype: data.dtype, shape: [...data.shape] }];
  },
});

/**
 * oneHot(indices) {depth, axis, onValue, offValue, dtype}: a new axis of size depth holding
 * onValue at each index and offValue elsewhere. Indices in [-depth, 0) wrap; others outside
 * [-depth, depth) give an all-off row (ONNX OneHot), which is not an error.
 */
registerOp({
  name: 'oneHot',
  category: 'injective',
  arity: [1, 1],
  attrs: {
    depth: { kind: 'int' },
    axis: { kind: 'int', default: -1 },
    onValue: { kind: 'float', default: 1 },
    offValue: { kind: 'float', default: 0 },
    dtype: { kind: 'dtype', default: 'f32' },
  },
  infer([indices], attrs, { where }) {
    checkIndices(indices, where);
    const depth = attrs.depth as number;
    if (depth < 1) throw new ShapeError(`${where}: depth must be ≥ 1, got ${depth}`);
    const axis = normalizeAxis(attrs.axis as number, indices.shape.length + 1, where);
    const shape: Dim[] = [...indices.shape];
    shape.splice(axis, 0, depth);
    return [{ dtype: parseDType(attrs.dtype as string), shape }];
  },
});

/**
 * trilu(x) {upper, k}: keeps the upper (j - i ≥ k) or lower (j - i ≤ k) triangle of the last
 * two dims and zeroes the rest (ONNX Trilu, k taken from its input as an attribute).
 */
registerOp({
  name: 'trilu',
  category: 'injective',
  arity: [1, 1],
  attrs: { upper: { kind: 'bool', default: true }, k: { kind: 'int', default: 0 } },
  infer([x], _attrs, { where }) {
    if (x.shape.length < 2) throw new ShapeError(`${where}: input ${formatShape(x.shape)} must have rank ≥ 2`);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
});
