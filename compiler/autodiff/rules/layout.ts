import type { Dim } from '../../../ir/index.js';
import { hostTensor, normalizeAxis, sliceAxis, UnsupportedOpError } from '../../../ir/index.js';
import type { GradContext } from '../registry.js';
import { registerGrad } from '../registry.js';
import { reshapeTo, sumToShape } from '../reshape_grad.js';

/**
 * Layout ops move elements without arithmetic; their adjoints move gradients back: reshape ↔
 * reshape, transpose ↔ inverse transpose, slice ↔ zero pad, constant pad ↔ crop, concat ↔ slices,
 * expand ↔ sum, and gather ↔ scatter-add (as a matmul with a one-hot matrix, which needs no
 * scatter kernel and is exact).
 */

function staticDim(d: Dim, ctx: GradContext, what: string): number {
  if (typeof d !== 'number') throw new UnsupportedOpError(`${ctx.node.op} '${ctx.node.name}': the gradient needs a static ${what}, got '${d}'`);
  return d;
}

/** Product of dims as one dim: a number, or -1 when one of them is symbolic (reshape infers it). */
function flatDim(dims: readonly Dim[], ctx: GradContext): number {
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  if (dims.filter((d) => typeof d === 'string').length > 1) staticDim(dims.find((d) => typeof d === 'string')!, ctx, 'shape');
  return -1;
}

const same = (ctx: GradContext) => {
  const dy = ctx.dy[0];
  return [dy && reshapeTo(dy, ctx.x[0].shape)];
};
registerGrad('reshape', same);
registerGrad('squeeze', same);
registerGrad('unsqueeze', same);

registerGrad('transpose', ({ x: [x], dy: [dy], attr }) => {
  if (!dy) return [null];
  const given = attr<number[]>('perm');
  const perm = given.length ? given : [...Array(x.rank).keys()].reverse();
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [dy.transpose(inverse)];
});

registerGrad('expand', ({ x: [x], dy: [dy] }) => [dy && sumToShape(dy, x.shape)]);

registerGrad('concat', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy) return ctx.x.map(() => null);
  const axis = normalizeAxis(ctx.attr<number>('axis'), dy.rank, 'concat gradient');
  let offset = 0;
  return ctx.x.map((x, i) => {
    const size = staticDim(x.shape[axis], ctx, `size along axis ${axis}`);
    const start = offset;
    offset += size;
    return ctx.needs[i] ? dy.slice([start], [start + size], [axis]) : null;
  });
});

/**
 * slice: each selected element goes back to its place, zeros elsewhere. Unit steps are a pad;
 * a step s spreads the gradient by interleaving s-1 zeros (pad a new axis, then merge it), and a
 * negative step is a positive one over the reversed gradient.
 */
registerGrad('slice', (ctx) => {
  let g = ctx.dy[0];
  if (!g) return [null];
  const x = ctx.x[0];
  const starts = ctx.attr<number[]>('starts');
  const ends = ctx.attr<number[]>('ends');
  const given = ctx.attr<number[]>('axes');
  const axes = given.length ? given : starts.map((_, i) => i);
  const stepsGiven = ctx.attr<number[]>('steps');
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.rank, 'slice gradient');
    const dim = staticDim(x.shape[axis], ctx, `dim ${axis}`);
    const { start, step, size } = sliceAxis(dim, starts[i], ends[i], stepsGiven.length ? stepsGiven[i] : 1, 'slice gradient');
    if (size === 0) {
      g = g!.trace.op('fill', [], { shape: g!.shape.map((d, j) => (j === axis ? dim : d)), value: 0, dtype: g!.dtype });
      return;
    }
    let first = start;
    if (step < 0) {
      // Elements start, start+step, ... descend: reversed, they ascend from the last one.
      g = g!.slice([-1], [-Number.MAX_SAFE_INTEGER], [axis], [-1]);
      first = start + (size - 1) * step;
    }
    const stride = Math.abs(step);
    if (stride > 1) {
      const spread = g!.unsqueeze([axis + 1]);
      const pads = new Array<number>(2 * spread.rank).fill(0);
      pads[spread.rank + axis + 1] = stride - 1;
      const shape = g!.shape.map((d, j) => (j === axis ? size * stride : d));
      g = spread.pad(pads).reshape(shape);
    }
    const covered = stride > 1 ? size * stride : size;
    const pads = new Array<number>(2 * x.rank).fill(0);
    pads[axis] = first;
    // Negative when the interleaved zeros run past the end: pad then crops them.
    pads[x.rank + axis] = dim - first - covered;
    g = g!.pad(pads);
  });
  return [g];
});

/** Where output coordinate c of an axis reads from (ONNX pad semantics), or -1 for the fill. */
function padSource(c: number, n: number, padBegin: number, cropBegin: number, kept: number, mode: string): number {
  let j = c - padBegin;
  if (j < 0 || j >= kept) {
    if (mode === 'constant' || kept === 0) return -1;
    if (mode === 'edge') j = j < 0 ? 0 : kept - 1;
    else if (mode === 'wrap') j = ((j % kept) + kept) % kept;
    else if (kept === 1) j = 0;
    else {
      const period = 2 * (kept - 1);
      j = ((j % period) + period) % period;
      if (j >= kept) j = period - j;
    }
  }
  return j + cropBegin < n ? j + cropBegin : -1;
}

/**
 * pad: constant mode crops the gradient back (pad by -pads). Other modes read some input
 * elements several times: per padded axis, the gradient is summed back through a one-hot
 * matrix of where each output coordinate reads.
 */
registerGrad('pad', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy) return [null];
  const x = ctx.x[0];
  const pads = ctx.attr<number[]>('pads');
  const mode = ctx.attr<string>('mode');
  if (mode === 'constant') return [dy.pad(pads.map((p) => -p))];
  const rank = x.rank;
  let g = dy;
  for (let axis = 0; axis < rank; axis++) {
    if (pads[axis] === 0 && pads[axis + rank] === 0) continue;
    const n = staticDim(x.shape[axis], ctx, `dim ${axis}`);
    const out = staticDim(dy.shape[axis], ctx, `dim ${axis}`);
    const cropBegin = Math.max(0, -pads[axis]);
    const kept = n - cropBegin - Math.max(0, -pads[axis + rank]);
    const onehot = new Float32Array(out * n);
    for (let c = 0; c < out; c++) {
      const s = padSource(c, n, Math.max(0, pads[axis]), cropBegin, kept, mode);
      if (s >= 0) onehot[c * n + s] = 1;
    }
    const matrix = g.trace.constant(hostTensor('f32', [out, n], onehot)).cast(g.dtype);
    const perm = [...Array(rank).keys()].filter((a) => a !== axis).concat(axis);
    const back = new Array<number>(rank);
    perm.forEach((p, i) => (back[p] = i));
    g = g.transpose(perm).matmul(matrix).transpose(back);
  }
  return [g];
});

/** tile: each input element appears once per repeat; the gradient sums the repeats. */
registerGrad('tile', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy) return [null];
  const x = ctx.x[0];
  const reps = ctx.attr<number[]>('repeats');
  const split: number[] = [];
  x.shape.forEach((d, i) => split.push(reps[i], staticDim(d, ctx, `dim ${i}`)));
  const summed = dy.reshape(split).sum(reps.map((_, i) => 2 * i));
  return [summed.reshape([...x.shape])];
});

/**
 * gather along `axis`: dx[pre, n, post] = Σ_j dy[pre, j, post]·[idx_j = n]. The one-hot matrix
 * [J, N] is built on the device from the (run-time) indices; negative indices count from the end.
 */
registerGrad('gather', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy || !ctx.needs[0]) return [null, null];
  const [x, indices] = ctx.x;
  const axis = normalizeAxis(ctx.attr<number>('axis'), x.rank, 'gather gradient');
  const n = staticDim(x.shape[axis], ctx, `dim ${axis}`);
  const idx = indices.cast('i32');
  const wrapped = idx.less(0).where(idx.add(n), idx);
  const iota = dy.trace.op('range', [], { start: 0, limit: n, delta: 1, dtype: 'i32' });
  const onehot = wrapped.unsqueeze([indices.rank]).equal(iota).cast(dy.dtype).reshape([-1, n]);
  const pre = flatDim(x.shape.slice(0, axis), ctx);
  const post = flatDim(x.shape.slice(axis + 1), ctx);
  const j = pre === -1 || post === -1 ? flatDim(indices.shape, ctx) : -1;
  const rows = dy.reshape([pre, j, post]).transpose([0, 2, 1]).matmul(onehot);
  return [reshapeTo(rows.transpose([0, 2, 1]), x.shape), null];
});
