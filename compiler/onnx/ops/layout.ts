import type { Dim, Value } from '../../../ir/index.js';
import { formatShape, numel, ShapeError, stridesOf, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { dimProduct, flag, input, normAxis, rank, reshape, staticDim, staticShape } from './util.js';

/** Layout ONNX ops: reshapes, transposes, slicing, concatenation, padding, tiling, gathers. */

const I32_MAX = 2147483647;
/** Slice bounds like INT64_MAX mean "to the end": clamping keeps them meaningful in 32 bits. */
const clampIndex = (v: number) => Math.max(-I32_MAX, Math.min(I32_MAX, v));

function reshapeOp(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const target = node.opset < 5 ? node.attrs.ints('shape') : ctx.dimsOf(node, 1, 'shape');
  const allowZero = flag(node, 'allowzero', false);
  // 0 copies the input's dim (unless allowzero); -1 is inferred by the IR.
  const dims: Dim[] = target.map((d, i) => {
    if (d !== 0 || allowZero) return d;
    if (i >= rank(x)) throw new ShapeError(`${node.where}: shape ${formatShape(target)} copies dim ${i} of ${formatShape(x.type.shape)}`);
    return x.type.shape[i];
  });
  return [ctx.op('reshape', [x], { shape: dims })];
}

function flatten(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  // Flatten's axis lies in [-r, r]: negative counts from the end of the input's dims.
  const given = node.attrs.int('axis', 1);
  const axis = normAxis(node, given < 0 ? given + rank(x) : given, rank(x) + 1);
  const shape = x.type.shape;
  return [reshape(ctx, x, [dimProduct(node, shape.slice(0, axis)), dimProduct(node, shape.slice(axis))])];
}

function axesOf(node: OnnxNodeView, ctx: ImportContext, inputSince: number): number[] {
  if (node.opset >= inputSince) return node.inputs[1] ? ctx.constValues(node, 1, 'axes') : [];
  return node.attrs.ints('axes', []);
}

function squeeze(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const axes = axesOf(node, ctx, 13).map((a) => normAxis(node, a, rank(x)));
  return [ctx.op('squeeze', [x], { axes })];
}

function unsqueeze(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const axes = axesOf(node, ctx, 13);
  if (axes.length === 0) throw new ShapeError(`${node.where}: needs axes`);
  return [ctx.op('unsqueeze', [x], { axes })];
}

function concat(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const inputs = node.inputs.filter((v): v is Value => v !== undefined);
  // Empty inputs contribute nothing (exporters emit them for dynamic concatenations).
  const nonEmpty = inputs.filter((v) => !v.type.shape.some((d) => d === 0));
  const parts = nonEmpty.length ? nonEmpty : inputs.slice(0, 1);
  const axis = node.attrs.int('axis', 1);
  if (parts.length === 1) return [ctx.op('identity', [parts[0]])];
  return [ctx.op('concat', parts, { axis })];
}

/** Split sizes: explicit, or equal parts (from opset 18 the last part may be smaller). */
function splitSizes(node: OnnxNodeView, ctx: ImportContext, dim: number): number[] {
  let sizes: number[] = [];
  if (node.opset < 13) sizes = node.attrs.ints('split', []);
  else if (node.inputs[1]) sizes = ctx.constValues(node, 1, 'split');
  const parts = node.opset >= 18 && node.attrs.has('num_outputs') ? node.attrs.int('num_outputs') : node.outputs.length;
  if (sizes.length) {
    if (sizes.reduce((a, b) => a + b, 0) !== dim) throw new ShapeError(`${node.where}: split [${sizes.join(',')}] does not add up to ${dim}`);
    return sizes;
  }
  const size = Math.ceil(dim / parts);
  if (node.opset < 18 && dim % parts !== 0) throw new ShapeError(`${node.where}: cannot split ${dim} into ${parts} equal parts`);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(size, dim - i * size)));
}

function split(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const axis = normAxis(node, node.attrs.int('axis', 0), rank(x));
  const dim = staticDim(node, x, axis);
  let start = 0;
  return splitSizes(node, ctx, dim).map((size) => {
    const part = ctx.op('slice', [x], { starts: [start], ends: [start + size], axes: [axis], steps: [1] });
    start += size;
    return part;
  });
}

function slice(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  let starts: number[];
  let ends: number[];
  let axes: number[];
  let steps: number[];
  if (node.opset < 10) {
    starts = node.attrs.ints('starts');
    ends = node.attrs.ints('ends');
    axes = node.attrs.ints('axes', starts.map((_, i) => i));
    steps = starts.map(() => 1);
  } else {
    starts = ctx.constValues(node, 1, 'starts');
    ends = ctx.constValues(node, 2, 'ends');
    axes = node.inputs[3] ? ctx.constValues(node, 3, 'axes') : starts.map((_, i) => i);
    steps = node.inputs[4] ? ctx.constValues(node, 4, 'steps') : starts.map(() => 1);
  }
  axes = axes.map((a) => normAxis(node, a, rank(x)));
  return [ctx.op('slice', [x], { starts: starts.map(clampIndex), ends: ends.map(clampIndex), axes, steps: steps.map(clampIndex) })];
}

function pad(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const r = rank(x);
  const mode = node.attrs.string('mode', 'constant');
  let pads: number[];
  let value = 0;
  if (node.opset < 11) {
    pads = node.attrs.has('pads') ? node.attrs.ints('pads') : node.attrs.ints('paddings');
    value = node.attrs.float('value', 0);
  } else {
    pads = ctx.constValues(node, 1, 'pads');
    if (node.inputs[2]) {
      const v = ctx.constValues(node, 2, 'constant_value');
      value = v.length ? v[0] : 0;
    }
    if (node.inputs[3]) {
      const axes = ctx.constValues(node, 3, 'axes').map((a) => normAxis(node, a, r));
      const full = new Array<number>(2 * r).fill(0);
      axes.forEach((a, i) => {
        full[a] = pads[i];
        full[a + r] = pads[i + axes.length];
      });
      pads = full;
    }
  }
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) throw new UnsupportedOpError(`${node.where}: pad mode '${mode}' is not supported`);
  if (pads.every((p) => p === 0)) return [ctx.op('identity', [x])];
  return [ctx.op('pad', [x], { pads, mode, value })];
}

function tile(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [ctx.op('tile', [input(node, 0)], { repeats: ctx.constValues(node, 1, 'repeats') })];
}

function expand(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [ctx.op('expand', [input(node, 0)], { shape: ctx.dimsOf(node, 1, 'shape') })];
}

function transpose(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const perm = node.attrs.ints('perm', []);
  if (perm.length && perm.every((p, i) => p === i)) return [ctx.op('identity', [x])];
  return [ctx.op('transpose', [x], { perm })];
}

/** DepthToSpace: DCR moves depth blocks, CRD column-row-depth (the PyTorch pixel shuffle). */
function depthToSpace(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const bs = node.attrs.int('blocksize');
  const mode = node.attrs.string('mode', 'DCR');
  const [n] = x.type.shape;
  const [c, h, w] = [1, 2, 3].map((i) => staticDim(node, x, i));
  if (c % (bs * bs) !== 0) throw new ShapeError(`${node.where}: ${c} channels do not divide by blocksize² ${bs * bs}`);
  const depth = c / (bs * bs);
  const dcr = mode === 'DCR';
  if (!dcr && mode !== 'CRD') throw new UnsupportedOpError(`${node.where}: mode '${mode}' is not DCR or CRD`);
  const split = reshape(ctx, x, dcr ? [n, bs, bs, depth, h, w] : [n, depth, bs, bs, h, w]);
  const moved = ctx.op('transpose', [split], { perm: dcr ? [0, 3, 4, 1, 5, 2] : [0, 1, 4, 2, 5, 3] });
  return [reshape(ctx, moved, [n, depth, h * bs, w * bs])];
}

function spaceToDepth(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const bs = node.attrs.int('blocksize');
  const [n] = x.type.shape;
  const [c, h, w] = [1, 2, 3].map((i) => staticDim(node, x, i));
  if (h % bs !== 0 || w % bs !== 0) throw new ShapeError(`${node.where}: spatial dims ${h}x${w} do not divide by blocksize ${bs}`);
  const split = reshape(ctx, x, [n, c, h / bs, bs, w / bs, bs]);
  const moved = ctx.op('transpose', [split], { perm: [0, 3, 5, 1, 2, 4] });
  return [reshape(ctx, moved, [n, c * bs * bs, h / bs, w / bs])];
}

function gather(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [ctx.op('gather', [input(node, 0), input(node, 1)], { axis: node.attrs.int('axis', 0) })];
}

/**
 * ReverseSequence with constant lengths: each batch entry's first len[b] steps along the time
 * axis reversed, the rest kept — a gatherElements with indices computed here.
 */
function reverseSequence(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const lengths = ctx.constValues(node, 1, 'sequence_lens');
  const shape = staticShape(node, x);
  const batchAxis = normAxis(node, node.attrs.int('batch_axis', 1), shape.length);
  const timeAxis = normAxis(node, node.attrs.int('time_axis', 0), shape.length);
  const strides = stridesOf(shape);
  const indices = new Int32Array(numel(shape));
  for (let flat = 0; flat < indices.length; flat++) {
    const t = Math.floor(flat / strides[timeAxis]) % shape[timeAxis];
    const len = lengths[Math.floor(flat / strides[batchAxis]) % shape[batchAxis]];
    indices[flat] = t < len ? len - 1 - t : t;
  }
  return [ctx.op('gatherElements', [x, ctx.constant({ dtype: 'i32', shape, data: indices })], { axis: timeAxis })];
}

defineOnnxOps({
  ReverseSequence: reverseSequence,
  Reshape: reshapeOp,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Tile: tile,
  Expand: expand,
  Transpose: transpose,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  Gather: gather,
  Identity: (node) => [input(node, 0)],
});
