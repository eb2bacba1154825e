import type { DType } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { registerOp } from '../registry.js';
import type { Dim, Shape } from '../shape.js';
import { addDims, ceilDivDims, dimProduct, exactDivDims, maxDims, minDims, mulDims, subDims } from '../dim_expr.js';
import { broadcastShapes, dimsMayBeEqual, formatShape, normalizeAxis, shapeNumel } from '../shape.js';

/**
 * Layout ops: they move or select elements without arithmetic. All are `injective`: fusion turns
 * them into index arithmetic inside their consumer.
 */

/**
 * Resolves a reshape target: at most one -1, inferred from the element count (an expression
 * when symbolic: [N,3,4] → [N,-1] gives [N,12], [N,3] → [-1] gives [3*N]). Counts that are
 * provably different are an error; symbolic ones that may agree are trusted.
 */
export function resolveReshape(input: Shape, target: readonly Dim[], where: string): Dim[] {
  const minus = target.filter((d) => d === -1).length;
  if (minus > 1) throw new ShapeError(`${where}: target shape ${formatShape(target)} has more than one -1`);
  if (target.some((d) => typeof d === 'number' && (d < -1 || !Number.isInteger(d)))) {
    throw new ShapeError(`${where}: target shape ${formatShape(target)} has an invalid dim`);
  }
  const total = shapeNumel(input);
  const knownCount = dimProduct(target.filter((d) => d !== -1));
  const symbolic = typeof total !== 'number' || typeof knownCount !== 'number';
  if (minus === 1) {
    const inferred = knownCount === 0 ? undefined : exactDivDims(total, knownCount);
    if (inferred === undefined) {
      if (symbolic) throw new ShapeError(`${where}: cannot infer -1 in ${formatShape(target)} from symbolic ${formatShape(input)}`);
      throw new ShapeError(`${where}: cannot reshape ${formatShape(input)} (${total} elements) to ${formatShape(target)}`);
    }
    return target.map((d) => (d === -1 ? inferred : d));
  }
  if (!dimsMayBeEqual(total, knownCount)) throw new ShapeError(`${where}: cannot reshape ${formatShape(input)} (${total} elements) to ${formatShape(target)} (${knownCount})`);
  return [...target];
}

registerOp({
  name: 'reshape',
  category: 'injective',
  arity: [1, 1],
  attrs: { shape: { kind: 'dims' } },
  infer([x], attrs, { where }) {
    return [{ dtype: x.dtype, shape: resolveReshape(x.shape, attrs.shape as Dim[], where) }];
  },
});

/** transpose(perm); an empty perm reverses the axes. */
registerOp({
  name: 'transpose',
  category: 'injective',
  arity: [1, 1],
  attrs: { perm: { kind: 'ints', default: [] } },
  infer([x], attrs, { where }) {
    const rank = x.shape.length;
    const perm = (attrs.perm as number[]).length ? (attrs.perm as number[]) : [...Array(rank).keys()].reverse();
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
      throw new ShapeError(`${where}: perm [${perm.join(',')}] is not a permutation of rank ${rank}`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
});

registerOp({
  name: 'concat',
  category: 'injective',
  arity: [1, Infinity],
  attrs: { axis: { kind: 'int' } },
  infer(inputs, attrs, { where }) {
    const first = inputs[0];
    const rank = first.shape.length;
    if (rank === 0) throw new ShapeError(`${where}: cannot concat scalars`);
    const axis = normalizeAxis(attrs.axis as number, rank, where);
    let total: Dim = 0;
    for (const [i, t] of inputs.entries()) {
      if (t.dtype !== first.dtype) throw new DTypeError(`${where}: input ${i} has dtype ${t.dtype}, input 0 has ${first.dtype}`);
      if (t.shape.length !== rank) throw new ShapeError(`${where}: input ${i} has rank ${t.shape.length}, input 0 has ${rank}`);
      t.shape.forEach((d, j) => {
        if (j !== axis && !dimsMayBeEqual(d, first.shape[j])) {
          throw new ShapeError(`${where}: input ${i} ${formatShape(t.shape)} does not match input 0 ${formatShape(first.shape)} off axis ${axis}`);
        }
      });
      const d = t.shape[axis];
      total = addDims(total, d);
    }
    const shape = [...first.shape];
    shape[axis] = total;
    return [{ dtype: first.dtype, shape }];
  },
});

/** Normalized slice parameters for one axis, numpy/ONNX clamping rules. */
export interface AxisSlice {
  readonly start: number;
  readonly step: number;
  readonly size: number;
}

export function sliceAxis(dim: number, start: number, end: number, step: number, where: string): AxisSlice {
  if (step === 0 || !Number.isInteger(step)) throw new ShapeError(`${where}: slice step must be a non-zero integer, got ${step}`);
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
  } else {
    s = clamp(s, -1, dim - 1);
    e = clamp(e, -1, dim - 1);
  }
  const size = Math.max(0, Math.ceil((e - s) / step));
  return { start: s, step, size };
}

/** A slice of a symbolic axis: start and size as expressions of the dim. */
export interface SymbolicAxisSlice {
  readonly start: Dim;
  readonly step: number;
  readonly size: Dim;
}

/** An index past any symbolic size (ONNX's INT64_MAX "to the end", here or negated). */
const FAR = 2 ** 31;

/** sliceAxis for a dim that may be symbolic: the same rules as expressions (min/max where they do not fold). */
export function sliceAxisDim(dim: Dim, start: number, end: number, step: number, where: string): SymbolicAxisSlice {
  if (typeof dim === 'number') return sliceAxis(dim, start, end, step, where);
  if (step === 0 || !Number.isInteger(step)) throw new ShapeError(`${where}: slice step must be a non-zero integer, got ${step}`);
  const at = (v: number, low: Dim, high: Dim): Dim => {
    if (v >= FAR) return high;
    if (v <= -FAR) return low;
    return v < 0 ? maxDims(addDims(dim, v), low) : minDims(v, high);
  };
  if (step > 0) {
    const s = at(start, 0, dim);
    const e = at(end, 0, dim);
    return { start: s, step, size: maxDims(0, ceilDivDims(subDims(e, s), step)) };
  }
  const s = at(start, -1, subDims(dim, 1));
  const e = at(end, -1, subDims(dim, 1));
  return { start: s, step, size: maxDims(0, ceilDivDims(subDims(s, e), -step)) };
}

/** slice(starts, ends, axes, steps): ends past the dim clamp; negative indices count from the end. */
registerOp({
  name: 'slice',
  category: 'injective',
  arity: [1, 1],
  attrs: { starts: { kind: 'ints' }, ends: { kind: 'ints' }, axes: { kind: 'ints', default: [] }, steps: { kind: 'ints', default: [] } },
  infer([x], attrs, { where }) {
    const starts = attrs.starts as number[];
    const ends = attrs.ends as number[];
    const rank = x.shape.length;
    const axes = (attrs.axes as number[]).length ? (attrs.axes as number[]) : starts.map((_, i) => i);
    const steps = (attrs.steps as number[]).length ? (attrs.steps as number[]) : starts.map(() => 1);
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
      throw new ShapeError(`${where}: starts, ends, axes and steps must have the same length`);
    }
    const shape = [...x.shape];
    const seen = new Set<number>();
    axes.forEach((a, i) => {
      const axis = normalizeAxis(a, rank, where);
      if (seen.has(axis)) throw new ShapeError(`${where}: axis ${a} sliced twice`);
      seen.add(axis);
      shape[axis] = sliceAxisDim(x.shape[axis], starts[i], ends[i], steps[i], where).size;
    });
    return [{ dtype: x.dtype, shape }];
  },
});

/** gather(data, indices, axis): numpy take; negative indices count from the end. */
registerOp({
  name: 'gather',
  category: 'injective',
  arity: [2, 2],
  attrs: { axis: { kind: 'int', default: 0 } },
  infer([x, idx], attrs, { where }) {
    if (idx.dtype !== 'i32' && idx.dtype !== 'u32') throw new DTypeError(`${where}: indices have dtype ${idx.dtype}, expected i32`);
    if (x.shape.length === 0) throw new ShapeError(`${where}: cannot gather from a scalar`);
    const axis = normalizeAxis(attrs.axis as number, x.shape.length, where);
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
  },
});

/** expand(x, shape): broadcast x to shape (numpy rules, result may have higher rank). */
registerOp({
  name: 'expand',
  category: 'injective',
  arity: [1, 1],
  attrs: { shape: { kind: 'dims' } },
  infer([x], attrs, { where }) {
    return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, attrs.shape as Dim[]], where) }];
  },
});

/** squeeze(axes): removes size-1 axes (all of them when axes is empty). */
registerOp({
  name: 'squeeze',
  category: 'injective',
  arity: [1, 1],
  attrs: { axes: { kind: 'ints', default: [] } },
  infer([x], attrs, { where }) {
    const rank = x.shape.length;
    const given = attrs.axes as number[];
    const axes = given.length ? given.map((a) => normalizeAxis(a, rank, where)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of axes) {
      if (x.shape[a] !== 1) throw new ShapeError(`${where}: cannot squeeze axis ${a} of size ${x.shape[a]}`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
});

/** unsqueeze(axes): inserts size-1 axes at the given positions of the result. */
registerOp({
  name: 'unsqueeze',
  category: 'injective',
  arity: [1, 1],
  attrs: { axes: { kind: 'ints' } },
  infer([x], attrs, { where }) {
    const outRank = x.shape.length + (attrs.axes as number[]).length;
    const axes = (attrs.axes as number[]).map((a) => normalizeAxis(a, outRank, where));
    if (new Set(axes).size !== axes.length) throw new ShapeError(`${where}: repeated axis in [${axes.join(',')}]`);
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < outRank; i++) shape.push(axes.includes(i) ? 1 : x.shape[j++]);
    return [{ dtype: x.dtype, shape }];
  },
});

/** pad(pads = [begin_0.., end_0..], mode constant|reflect|edge|wrap, value). Negative pads crop. */
registerOp({
  name: 'pad',
  category: 'injective',
  arity: [1, 1],
  attrs: { pads: { kind: 'ints' }, mode: { kind: 'string', default: 'constant' }, value: { kind: 'float', default: 0 } },
  infer([x], attrs, { where }) {
    const pads = attrs.pads as number[];
    const rank = x.shape.length;
    if (pads.length !== 2 * rank) throw new ShapeError(`${where}: pads has ${pads.length} entries, expected ${2 * rank} for rank ${rank}`);
    if (!['constant', 'reflect', 'edge', 'wrap'].includes(attrs.mode as string)) throw new ShapeError(`${where}: unknown pad mode '${attrs.mode}'`);
    const shape = x.shape.map((d, i) => {
      if (typeof d !== 'number') return addDims(d, pads[i] + pads[i + rank]);
      const n = d + pads[i] + pads[i + rank];
      if (n < 0) throw new ShapeError(`${where}: padding makes dim ${i} negative`);
      return n;
    });
    return [{ dtype: x.dtype, shape }];
  },
});

/** tile(repeats): repeats the tensor along each axis. */
registerOp({
  name: 'tile',
  category: 'injective',
  arity: [1, 1],
  attrs: { repeats: { kind: 'ints' } },
  infer([x], attrs, { where }) {
    const reps = attrs.repeats as number[];
    if (reps.length !== x.shape.length) throw new ShapeError(`${where}: repeats has ${reps.length} entries for rank ${x.shape.length}`);
    if (reps.some((r) => r < 0)) throw new ShapeError(`${where}: repeats [${reps.join(',')}] has a negative entry`);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => mulDims(d, reps[i])) }];
  },
});

/** range(start, limit, delta) → 1-D tensor (iota when start=0, delta=1). */
registerOp({
  name: 'range',
  category: 'injective',
  arity: [0, 0],
  attrs: { start: { kind: 'float', default: 0 }, limit: { kind: 'float' }, delta: { kind: 'float', default: 1 }, dtype: { kind: 'dtype', default: 'i32' } },
  infer(_inputs, attrs, { where }) {
    const { start, limit, delta } = attrs as { start: number; limit: number; delta: number };
    if (delta === 0) throw new ShapeError(`${where}: delta must not be 0`);
    const n = Math.max(0, Math.ceil((limit - start) / delta));
    return [{ dtype: attrs.dtype as DType, shape: [n] }];
  },
});

/** fill(shape, value, dtype): a constant tensor. */
registerOp({
  name: 'fill',
  category: 'injective',
  arity: [0, 0],
  attrs: { shape: { kind: 'dims' }, value: { kind: 'float', default: 0 }, dtype: { kind: 'dtype', default: 'f32' } },
  infer(_inputs, attrs, { where }) {
    const shape = attrs.shape as Dim[];
    if (shape.some((d) => typeof d === 'number' && (d < 0 || !Number.isInteger(d)))) throw new ShapeError(`${where}: invalid shape ${formatShape(shape)}`);
    return [{ dtype: attrs.dtype as DType, shape }];
  },
});
