import type { DType, HostTensor, StaticShape, TensorData } from '../../../ir/index.js';
import { InputError, normalizeAxis, numel, stridesOf } from '../../../ir/index.js';
import type { ScatterReduction } from '../../../ir/ops/indexing.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';

/**
 * Reference kernels of the indexing family: plain loops over flat indices. Every index is
 * checked; one outside [-dim, dim) is bad input and throws InputError naming the node.
 */

/** A possibly negative index resolved against its dim. */
export function resolveIndex(index: number, dim: number, where: string, what: string): number {
  if (!(index >= -dim && index < dim)) throw new InputError(`${where}: index ${index} is out of range for ${what} of size ${dim}`);
  return index < 0 ? index + dim : index;
}

/** Row-major coordinates of a flat index. */
export function unravelIndex(flat: number, shape: StaticShape): number[] {
  const coords = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return coords;
}

function ravel(coords: readonly number[], strides: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < coords.length; d++) flat += coords[d] * strides[d];
  return flat;
}

/** A copy of a tensor's values in the interpreter's scratch storage. */
function copyOf(t: HostTensor): TensorData {
  const out = scratch(t.dtype, t.data.length);
  out.set(t.data as ArrayLike<number>);
  return out;
}

/** How a scatter combines the current value with an update; integers wrap at 32 bits. */
function combiner(reduction: ScatterReduction, dtype: DType): (current: number, update: number) => number {
  const int = dtype === 'i32' || dtype === 'u32';
  switch (reduction) {
    case 'none':
      return (_c, u) => u;
    case 'add':
      return (c, u) => c + u;
    case 'mul':
      return int ? (c, u) => Math.imul(c, u) : (c, u) => c * u;
    case 'max':
      return (c, u) => Math.max(c, u);
    case 'min':
      return (c, u) => Math.min(c, u);
    default:
      return reduction satisfies never;
  }
}

registerRef('gatherElements', ([data, indices], { node, outputs, where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, data.shape.length, where);
  const out = outputs[0];
  const n = numel(out.shape);
  const result = scratch(out.dtype, n);
  const strides = stridesOf(data.shape);
  for (let i = 0; i < n; i++) {
    const c = unravelIndex(i, indices.shape);
    c[axis] = resolveIndex(indices.data[i], data.shape[axis], where, `axis ${axis}`);
    result[i] = data.data[ravel(c, strides)];
  }
  return [{ dtype: out.dtype, shape: out.shape, data: result }];
});

registerRef('gatherND', ([data, indices], { node, outputs, where }) => {
  const b = node.attrs.batchDims as number;
  const m = indices.shape[indices.shape.length - 1];
  const tupleShape = indices.shape.slice(0, -1);
  const tuples = numel(tupleShape);
  const sliceSize = numel(data.shape.slice(b + m));
  const strides = stridesOf(data.shape);
  const out = outputs[0];
  const result = scratch(out.dtype, numel(out.shape));
  for (let p = 0; p < tuples; p++) {
    const batch = unravelIndex(p, tupleShape).slice(0, b);
    let base = ravel(batch, strides);
    for (let t = 0; t < m; t++) {
      base += resolveIndex(indices.data[p * m + t], data.shape[b + t], where, `axis ${b + t}`) * strides[b + t];
    }
    for (let s = 0; s < sliceSize; s++) result[p * sliceSize + s] = data.data[base + s];
  }
  return [{ dtype: out.dtype, shape: out.shape, data: result }];
});

registerRef('scatterElements', ([data, indices, updates], { node, outputs, where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, data.shape.length, where);
  const combine = combiner(node.attrs.reduction as ScatterReduction, data.dtype);
  const result = copyOf(data);
  const strides = stridesOf(data.shape);
  const n = numel(updates.shape);
  for (let u = 0; u < n; u++) {
    const c = unravelIndex(u, updates.shape);
    c[axis] = resolveIndex(indices.data[u], data.shape[axis], where, `axis ${axis}`);
    const target = ravel(c, strides);
    result[target] = combine(result[target], updates.data[u]);
  }
  return [{ dtype: outputs[0].dtype, shape: outputs[0].shape, data: result }];
});

registerRef('scatterND', ([data, indices, updates], { node, outputs, where }) => {
  const combine = combiner(node.attrs.reduction as ScatterReduction, data.dtype);
  const k = indices.shape[indices.shape.length - 1];
  const tuples = numel(indices.shape.slice(0, -1));
  const sliceSize = numel(data.shape.slice(k));
  const strides = stridesOf(data.shape);
  const result = copyOf(data);
  for (let p = 0; p < tuples; p++) {
    let base = 0;
    for (let t = 0; t < k; t++) base += resolveIndex(indices.data[p * k + t], data.shape[t], where, `axis ${t}`) * strides[t];
    for (let s = 0; s < sliceSize; s++) result[base + s] = combine(result[base + s], updates.data[p * sliceSize + s]);
  }
  return [{ dtype: outputs[0].dtype, shape: outputs[0].shape, data: result }];
});

registerRef('oneHot', ([indices], { node, outputs }) => {
  const depth = node.attrs.depth as number;
  const axis = normalizeAxis(node.attrs.axis as number, indices.shape.length + 1, '');
  const out = outputs[0];
  // Typed arrays truncate on store; a bool is any non-zero value, as the GPU's literal has it.
  const value = (v: number) => (out.dtype === 'bool' ? Number(v !== 0) : v);
  const on = value(node.attrs.onValue as number);
  const result = scratch(out.dtype, numel(out.shape)).fill(value(node.attrs.offValue as number));
  // Output flat index = (outer · depth + hot) · inner + innerIndex, around the new axis.
  const inner = numel(indices.shape.slice(axis));
  for (let p = 0; p < indices.data.length; p++) {
    const raw = indices.data[p];
    const hot = raw < 0 ? raw + depth : raw;
    if (hot < 0 || hot >= depth) continue;
    const outer = Math.floor(p / inner);
    result[(outer * depth + hot) * inner + (p % inner)] = on;
  }
  return [{ dtype: out.dtype, shape: out.shape, data: result }];
});

registerRef('trilu', ([x], { node, outputs }) => {
  const upper = node.attrs.upper as boolean;
  const k = node.attrs.k as number;
  const rank = x.shape.length;
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const result = scratch(x.dtype, x.data.length);
  for (let f = 0; f < x.data.length; f++) {
    const j = f % cols;
    const i = Math.floor(f / cols) % rows;
    const keep = upper ? j - i >= k : j - i <= k;
    result[f] = keep ? x.data[f] : 0;
  }
  return [{ dtype: outputs[0].dtype, shape: outputs[0].shape, data: result }];
});
