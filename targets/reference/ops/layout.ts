import type { Attrs, DType, HostTensor, StaticShape } from '../../../ir/index.js';
import { InputError, normalizeAxis, numel, ShapeError, sliceAxis, stridesOf } from '../../../ir/index.js';
import { broadcastIndex } from '../broadcast.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';
import type { RefContext } from '../kernels.js';

/**
 * Layout kernels: each loops over the output's coordinates and asks "which input element is
 * this?", the slow and obvious way. The WGSL lowerings answer the same question with index
 * arithmetic; these loops are their oracle, so they avoid that arithmetic's tricks.
 */

/** Calls `visit(coord, flat)` for every element of `shape` in row-major order. */
function forEachCoord(shape: StaticShape, visit: (coord: readonly number[], flat: number) => void): void {
  const n = numel(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    visit(coord, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
}

function flatIndex(coord: readonly number[], strides: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < coord.length; d++) flat += coord[d] * strides[d];
  return flat;
}

/** out[c] = x[inputCoord(c)] for every output coordinate c. */
function gatherBy(x: HostTensor, ctx: RefContext, inputCoord: (c: readonly number[]) => readonly number[]): HostTensor[] {
  const out = ctx.outputs[0];
  const data = scratch(out.dtype, numel(out.shape));
  const strides = stridesOf(x.shape);
  forEachCoord(out.shape, (c, flat) => (data[flat] = x.data[flatIndex(inputCoord(c), strides)]));
  return [{ dtype: out.dtype, shape: out.shape, data }];
}

const ints = (attrs: Attrs, key: string) => attrs[key] as readonly number[];

/** A number as a dtype holds it: typed arrays truncate, but bool means "non-zero", not "& 0xff". */
function asStored(value: number, dtype: DType): number {
  return dtype === 'bool' ? (value ? 1 : 0) : value;
}

registerRef('reshape', ([x], ctx) => {
  const out = ctx.outputs[0];
  const data = scratch(out.dtype, numel(out.shape));
  for (let i = 0; i < data.length; i++) data[i] = x.data[i];
  return [{ dtype: out.dtype, shape: out.shape, data }];
});

registerRef('transpose', ([x], ctx) => {
  const given = ints(ctx.node.attrs, 'perm');
  const perm = given.length ? given : [...x.shape.keys()].reverse();
  // Output axis i is input axis perm[i].
  return gatherBy(x, ctx, (c) => {
    const inCoord = new Array<number>(x.shape.length);
    perm.forEach((p, i) => (inCoord[p] = c[i]));
    return inCoord;
  });
});

registerRef('concat', (inputs, ctx) => {
  const out = ctx.outputs[0];
  const axis = normalizeAxis(ctx.node.attrs.axis as number, out.shape.length, ctx.where);
  const data = scratch(out.dtype, numel(out.shape));
  const strides = inputs.map((t) => stridesOf(t.shape));
  forEachCoord(out.shape, (c, flat) => {
    let k = 0;
    let along = c[axis];
    while (along >= inputs[k].shape[axis]) along -= inputs[k++].shape[axis];
    const inCoord = [...c];
    inCoord[axis] = along;
    data[flat] = inputs[k].data[flatIndex(inCoord, strides[k])];
  });
  return [{ dtype: out.dtype, shape: out.shape, data }];
});

registerRef('slice', ([x], ctx) => {
  const attrs = ctx.node.attrs;
  const starts = ints(attrs, 'starts');
  const axes = ints(attrs, 'axes').length ? ints(attrs, 'axes') : starts.map((_, i) => i);
  const steps = ints(attrs, 'steps').length ? ints(attrs, 'steps') : starts.map(() => 1);
  const start = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.shape.length, ctx.where);
    const s = sliceAxis(x.shape[axis], starts[i], ints(attrs, 'ends')[i], steps[i], ctx.where);
    start[axis] = s.start;
    step[axis] = s.step;
  });
  return gatherBy(x, ctx, (c) => c.map((ci, d) => start[d] + ci * step[d]));
});

registerRef('gather', ([x, indices], ctx) => {
  const axis = normalizeAxis(ctx.node.attrs.axis as number, x.shape.length, ctx.where);
  const dim = x.shape[axis];
  const idxRank = indices.shape.length;
  const idxStrides = stridesOf(indices.shape);
  return gatherBy(x, ctx, (c) => {
    const raw = Number(indices.data[flatIndex(c.slice(axis, axis + idxRank), idxStrides)]);
    const i = raw < 0 ? raw + dim : raw;
    if (i < 0 || i >= dim) throw new InputError(`${ctx.where}: index ${raw} is out of range for axis ${axis} of size ${dim}`);
    return [...c.slice(0, axis), i, ...c.slice(axis + idxRank)];
  });
});

registerRef('expand', ([x], ctx) => {
  const out = ctx.outputs[0];
  const index = broadcastIndex(x.shape, out.shape);
  const data = scratch(out.dtype, index.length);
  for (let i = 0; i < index.length; i++) data[i] = x.data[index[i]];
  return [{ dtype: out.dtype, shape: out.shape, data }];
});

/** squeeze and unsqueeze only add or drop size-1 axes: the elements keep their order. */
function sameElements([x]: readonly HostTensor[], ctx: RefContext): HostTensor[] {
  const out = ctx.outputs[0];
  const data = scratch(out.dtype, numel(out.shape));
  for (let i = 0; i < data.length; i++) data[i] = x.data[i];
  return [{ dtype: out.dtype, shape: out.shape, data }];
}
registerRef('squeeze', sameElements);
registerRef('unsqueeze', sameElements);

/**
 * Where pad reads coordinate `j` of an axis holding `n` elements, or -1 for the constant.
 * Walks reflections and wraps one period at a time: slow, but plainly the definition.
 */
export function padSource(j: number, n: number, mode: string, where: string): number {
  if (j >= 0 && j < n) return j;
  if (mode === 'constant') return -1;
  if (n === 0) throw new ShapeError(`${where}: cannot ${mode}-pad an empty axis`);
  if (mode === 'edge') return j < 0 ? 0 : n - 1;
  if (mode === 'wrap') {
    while (j < 0) j += n;
    while (j >= n) j -= n;
    return j;
  }
  // reflect: mirror about the first and last elements, which are not repeated.
  if (n === 1) return 0;
  while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
  return j;
}

/**
 * ONNX (and onnxruntime) semantics: negative pads first crop the input, then the positive pads
 * pad what is left, so reflect/edge/wrap refer to the cropped edges.
 */
registerRef('pad', ([x], ctx) => {
  const attrs = ctx.node.attrs;
  const pads = ints(attrs, 'pads');
  const mode = attrs.mode as string;
  const fillValue = asStored(attrs.value as number, x.dtype);
  const rank = x.shape.length;
  const out = ctx.outputs[0];
  const data = scratch(out.dtype, numel(out.shape));
  const strides = stridesOf(x.shape);
  const cropBegin = x.shape.map((_, d) => Math.max(0, -pads[d]));
  const kept = x.shape.map((n, d) => n - cropBegin[d] - Math.max(0, -pads[d + rank]));
  const padBegin = x.shape.map((_, d) => Math.max(0, pads[d]));
  forEachCoord(out.shape, (c, flat) => {
    let src = 0;
    for (let d = 0; d < rank; d++) {
      const j = padSource(c[d] - padBegin[d], kept[d], mode, ctx.where);
      if (j < 0) {
        src = -1;
        break;
      }
      src += (j + cropBegin[d]) * strides[d];
    }
    data[flat] = src < 0 ? fillValue : x.data[src];
  });
  return [{ dtype: out.dtype, shape: out.shape, data }];
});

registerRef('tile', ([x], ctx) => gatherBy(x, ctx, (c) => c.map((ci, d) => ci % x.shape[d])));

registerRef('range', (_inputs, ctx) => {
  const { start, delta } = ctx.node.attrs as { start: number; delta: number };
  const out = ctx.outputs[0];
  const data = scratch(out.dtype, out.shape[0]);
  for (let i = 0; i < data.length; i++) data[i] = asStored(start + i * delta, out.dtype);
  return [{ dtype: out.dtype, shape: out.shape, data }];
});

registerRef('fill', (_inputs, ctx) => {
  const out = ctx.outputs[0];
  const data = scratch(out.dtype, numel(out.shape));
  data.fill(asStored(ctx.node.attrs.value as number, out.dtype));
  return [{ dtype: out.dtype, shape: out.shape, data }];
});
