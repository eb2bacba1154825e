import type { Attrs, Value } from '../../../ir/index.js';
import { ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { AutoPad } from '../../../ir/ops/nn.js';
import { resolveAutoPad, resolveConvTransposePads } from '../../../ir/ops/nn.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { maxPoolWithIndices } from './pool_indices.js';
import { defineOnnxOps } from './table.js';
import { flag, input, rank, staticDim, staticShape, trailingAxes } from './util.js';

/** Convolutions and pooling; auto_pad is resolved here into explicit pads. */

function autoPadOf(node: OnnxNodeView): AutoPad {
  const mode = node.attrs.string('auto_pad', 'NOTSET');
  if (mode !== 'NOTSET' && mode !== 'VALID' && mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') {
    throw new UnsupportedOpError(`${node.where}: unknown auto_pad '${mode}'`);
  }
  return mode;
}

function spatialDims(node: OnnxNodeView, x: Value): number[] {
  return staticShape(node, x).slice(2);
}

/** strides, dilations and explicit pads of a windowed op, with auto_pad resolved. */
function windowAttrs(node: OnnxNodeView, x: Value, kernel: readonly number[]): { strides: number[]; dilations: number[]; pads: number[] } {
  const strides = node.attrs.ints('strides', []);
  const dilations = node.attrs.ints('dilations', []);
  const autoPad = autoPadOf(node);
  const explicit = node.attrs.ints('pads', []);
  const pads = autoPad === 'NOTSET' ? explicit : resolveAutoPad(autoPad, autoPadSpatial(node, x, autoPad, strides), kernel, strides, dilations, explicit);
  return { strides, dilations, pads };
}

/**
 * The spatial sizes auto_pad is resolved against. With stride 1, SAME pads are extent − 1
 * whatever the size, so a symbolic axis takes any stand-in; with a larger stride they depend on
 * the size (its parity), which a symbolic dim does not have: a typed error names the node.
 */
function autoPadSpatial(node: OnnxNodeView, x: Value, autoPad: AutoPad, strides: readonly number[]): number[] {
  const spatial = x.type.shape.slice(2);
  if (autoPad === 'VALID' || spatial.every((d, a) => typeof d === 'number' || (strides[a] ?? 1) === 1)) return spatial.map((d) => (typeof d === 'number' ? d : 1));
  return spatialDims(node, x);
}

/** The IR conv of x and w with the node's window attributes (also used by ConvInteger, QLinearConv). */
export function convOf(node: OnnxNodeView, ctx: ImportContext, x: Value, w: Value, bias?: Value): Value {
  const kernel = staticShape(node, w, 'weight').slice(2);
  const attrs: Attrs = { ...windowAttrs(node, x, kernel), group: node.attrs.int('group', 1) };
  return ctx.op('conv', bias ? [x, w, bias] : [x, w], attrs);
}

function conv(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [convOf(node, ctx, input(node, 0), input(node, 1), node.inputs[2])];
}

function convTranspose(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const w = input(node, 1);
  const kernel = staticShape(node, w, 'weight').slice(2);
  const strides = node.attrs.ints('strides', []);
  const dilations = node.attrs.ints('dilations', []);
  const outputPadding = node.attrs.ints('output_padding', []);
  const outputShape = node.attrs.ints('output_shape', []);
  const autoPad = autoPadOf(node);
  const explicit = node.attrs.ints('pads', []);
  // output_shape may list the spatial dims only or N, C and the spatial dims.
  const spatialTarget = outputShape.length > kernel.length ? outputShape.slice(-kernel.length) : outputShape;
  const pads =
    autoPad === 'NOTSET' && spatialTarget.length === 0
      ? explicit
      : resolveConvTransposePads(autoPad, spatialDims(node, x), kernel, strides, dilations, outputPadding, explicit, spatialTarget);
  const attrs: Attrs = { strides, dilations, pads, group: node.attrs.int('group', 1), outputPadding };
  const inputs = node.inputs[2] ? [x, w, node.inputs[2]] : [x, w];
  return [ctx.op('convTranspose', inputs, attrs)];
}

function pool(op: 'maxPool' | 'avgPool' | 'lpPool') {
  return (node: OnnxNodeView, ctx: ImportContext): Value[] => {
    const x = input(node, 0);
    if (op === 'maxPool' && node.outputs[1]) return maxPoolWithIndices(node, ctx);
    const kernelShape = node.attrs.ints('kernel_shape');
    const attrs: Record<string, Attrs[string]> = { kernelShape, ...windowAttrs(node, x, kernelShape), ceilMode: flag(node, 'ceil_mode', false) };
    if (op === 'avgPool') attrs.countIncludePad = flag(node, 'count_include_pad', false);
    if (op === 'lpPool') attrs.p = node.attrs.int('p', 2);
    return [ctx.op(op, [x], attrs)];
  };
}

function globalPool(kind: 'mean' | 'max' | 'lp') {
  return (node: OnnxNodeView, ctx: ImportContext): Value[] => {
    const x = input(node, 0);
    const axes = trailingAxes(2, rank(x));
    if (kind === 'mean') return [ctx.op('reduceMean', [x], { axes, keepdims: true })];
    if (kind === 'max') return [ctx.op('reduceMax', [x], { axes, keepdims: true })];
    const p = node.attrs.int('p', 2);
    const dtype = x.type.dtype;
    const powered = ctx.op('pow', [ctx.op('abs', [x]), ctx.scalar(p, dtype)]);
    return [ctx.op('pow', [ctx.op('reduceSum', [powered], { axes, keepdims: true }), ctx.scalar(1 / p, dtype)])];
  };
}

/** LRN: x / (bias + α/size · Σ_{window over channels} x²)^β. */
function lrn(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const size = node.attrs.int('size');
  // One slice per window position: a size past the channels only adds zeros, and a hostile one
  // would build nodes without end.
  if (!Number.isInteger(size) || size < 1 || size > 2 * staticDim(node, x, 1) + 1) {
    throw new ShapeError(`${node.where}: size ${size} must be between 1 and 2·channels + 1`);
  }
  const alpha = node.attrs.float('alpha', 1e-4);
  const beta = node.attrs.float('beta', 0.75);
  const bias = node.attrs.float('bias', 1);
  const channels = staticDim(node, x, 1);
  const r = rank(x);
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const pads = new Array<number>(2 * r).fill(0);
  pads[1] = before;
  pads[1 + r] = after;
  const squared = ctx.op('pad', [ctx.op('mul', [x, x])], { pads, mode: 'constant', value: 0 });
  let sum: Value | undefined;
  for (let k = 0; k < size; k++) {
    const window = ctx.op('slice', [squared], { starts: [k], ends: [k + channels], axes: [1], steps: [1] });
    sum = sum ? ctx.op('add', [sum, window]) : window;
  }
  const dtype = x.type.dtype;
  const scaled = ctx.op('add', [ctx.op('mul', [sum!, ctx.scalar(alpha / size, dtype)]), ctx.scalar(bias, dtype)]);
  return [ctx.op('div', [x, ctx.op('pow', [scaled, ctx.scalar(beta, dtype)])])];
}

defineOnnxOps({
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('maxPool'),
  AveragePool: pool('avgPool'),
  LpPool: pool('lpPool'),
  GlobalAveragePool: globalPool('mean'),
  GlobalMaxPool: globalPool('max'),
  GlobalLpPool: globalPool('lp'),
  LRN: lrn,
});
