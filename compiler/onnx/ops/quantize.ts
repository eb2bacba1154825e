import type { Value } from '../../../ir/index.js';
import { UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { onnxIntRange } from '../dtypes.js';
import { OnnxType, onnxTypeName } from '../proto.js';
import { convOf } from './nn.js';
import { defineOnnxOps } from './table.js';
import { castTo, input, normAxis, rank, reshape } from './util.js';

/**
 * Linear quantization, computed in f32 on the device: the 8-bit integers of the ONNX types are
 * held in i32 (see dtypes.ts), so every quantized value is exact, and integer convolutions and
 * matmuls of 8-bit data stay exact in f32 up to 2^24.
 */

/** A per-axis parameter [C] reshaped to broadcast against x along `axis`; scalars as they are. */
function alongAxis(ctx: ImportContext, node: OnnxNodeView, p: Value, x: Value): Value {
  if (rank(p) === 0 || (rank(p) === 1 && p.type.shape[0] === 1)) return p;
  const axis = normAxis(node, node.attrs.int('axis', 1), rank(x));
  return reshape(ctx, p, x.type.shape.map((_, i) => (i === axis ? p.type.shape[0] : 1)));
}

function f32(ctx: ImportContext, v: Value): Value {
  return castTo(ctx, v, 'f32');
}

/** The integer range of a zero point's ONNX type (uint8 when there is none). */
function quantizedRange(ctx: ImportContext, node: OnnxNodeView, zeroPoint: Value | undefined): readonly [number, number] {
  const type = zeroPoint ? (ctx.onnxTypes.get(zeroPoint) ?? OnnxType.UINT8) : OnnxType.UINT8;
  const range = onnxIntRange(type);
  if (!range || range[1] > 65535) throw new UnsupportedOpError(`${node.where}: quantizing to ${onnxTypeName(type)} is not supported`);
  return range;
}

/** saturate(round(x / scale) + zero point) in [lo, hi], as i32. */
function quantize(ctx: ImportContext, x: Value, scale: Value, zeroPoint: Value | undefined, [lo, hi]: readonly [number, number]): Value {
  let q = ctx.op('round', [ctx.op('div', [f32(ctx, x), scale])]);
  if (zeroPoint) q = ctx.op('add', [q, f32(ctx, zeroPoint)]);
  return ctx.op('cast', [ctx.op('clip', [q, ctx.scalar(lo, 'f32'), ctx.scalar(hi, 'f32')])], { to: 'i32' });
}

function dequantize(ctx: ImportContext, x: Value, scale: Value, zeroPoint: Value | undefined): Value {
  const centered = zeroPoint ? ctx.op('sub', [f32(ctx, x), f32(ctx, zeroPoint)]) : f32(ctx, x);
  return ctx.op('mul', [centered, scale]);
}

function quantizeLinear(node: OnnxNodeView, ctx: ImportContext): Value[] {
  if (node.attrs.int('block_size', 0) !== 0) throw new UnsupportedOpError(`${node.where}: blocked quantization is not supported`);
  const x = input(node, 0);
  const zp = node.inputs[2];
  const scale = alongAxis(ctx, node, input(node, 1), x);
  return [quantize(ctx, x, scale, zp && alongAxis(ctx, node, zp, x), quantizedRange(ctx, node, zp))];
}

function dequantizeLinear(node: OnnxNodeView, ctx: ImportContext): Value[] {
  if (node.attrs.int('block_size', 0) !== 0) throw new UnsupportedOpError(`${node.where}: blocked quantization is not supported`);
  const x = input(node, 0);
  const zp = node.inputs[2];
  return [dequantize(ctx, x, alongAxis(ctx, node, input(node, 1), x), zp && alongAxis(ctx, node, zp, x))];
}

/** uint8 quantization with the scale and zero point that map [min(x, 0), max(x, 0)] onto [0, 255]. */
function dynamicQuantizeLinear(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const zero = ctx.scalar(0, 'f32');
  const lo = ctx.op('min', [ctx.op('reduceMin', [x], { axes: [], keepdims: false }), zero]);
  const hi = ctx.op('max', [ctx.op('reduceMax', [x], { axes: [], keepdims: false }), zero]);
  const scale = ctx.op('div', [ctx.op('sub', [hi, lo]), ctx.scalar(255, 'f32')]);
  const zpFloat = ctx.op('clip', [ctx.op('round', [ctx.op('neg', [ctx.op('div', [lo, scale])])]), zero, ctx.scalar(255, 'f32')]);
  const zp = ctx.op('cast', [zpFloat], { to: 'i32' });
  return [quantize(ctx, x, scale, zpFloat, [0, 255]), scale, zp];
}

/** x − zero point in f32 (per output channel for weights: [M] against [M, C, k...]). */
function centered(ctx: ImportContext, x: Value, zeroPoint: Value | undefined, perChannelAxis: number): Value {
  if (!zeroPoint) return f32(ctx, x);
  let zp = zeroPoint;
  if (rank(zp) === 1 && zp.type.shape[0] !== 1) zp = reshape(ctx, zp, x.type.shape.map((d, i) => (i === perChannelAxis ? d : 1)));
  return ctx.op('sub', [f32(ctx, x), f32(ctx, zp)]);
}

const toInt32 = (ctx: ImportContext, v: Value) => ctx.op('cast', [ctx.op('round', [v])], { to: 'i32' });

function convInteger(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = centered(ctx, input(node, 0), node.inputs[2], -1);
  const w = centered(ctx, input(node, 1), node.inputs[3], 0);
  return [toInt32(ctx, convOf(node, ctx, x, w))];
}

function matMulInteger(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const a = input(node, 0);
  const b = input(node, 1);
  return [toInt32(ctx, ctx.op('matmul', [centered(ctx, a, node.inputs[2], rank(a) - 2), centered(ctx, b, node.inputs[3], rank(b) - 1)]))];
}

function perChannel(ctx: ImportContext, p: Value, like: Value, axis: number): Value {
  return rank(p) === 1 && p.type.shape[0] !== 1 ? reshape(ctx, p, like.type.shape.map((d, i) => (i === axis ? d : 1))) : p;
}

function qLinearMatMul(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const [a, aScale, aZp, b, bScale, bZp, yScale, yZp] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => input(node, i));
  const af = dequantize(ctx, a, perChannel(ctx, aScale, a, rank(a) - 2), perChannel(ctx, aZp, a, rank(a) - 2));
  const bf = dequantize(ctx, b, perChannel(ctx, bScale, b, rank(b) - 1), perChannel(ctx, bZp, b, rank(b) - 1));
  return [quantize(ctx, ctx.op('matmul', [af, bf]), yScale, yZp, quantizedRange(ctx, node, yZp))];
}

function qLinearConv(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const [x, xScale, xZp, w, wScale, wZp, yScale, yZp] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => input(node, i));
  const xf = dequantize(ctx, x, xScale, xZp);
  const wf = dequantize(ctx, w, perChannel(ctx, wScale, w, 0), perChannel(ctx, wZp, w, 0));
  // The int32 bias is quantized with scale x_scale · w_scale.
  const bias = node.inputs[8] && ctx.op('mul', [f32(ctx, node.inputs[8]), ctx.op('mul', [xScale, wScale])]);
  return [quantize(ctx, convOf(node, ctx, xf, wf, bias), yScale, yZp, quantizedRange(ctx, node, yZp))];
}

defineOnnxOps({
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  ConvInteger: convInteger,
  MatMulInteger: matMulInteger,
  QLinearMatMul: qLinearMatMul,
  QLinearConv: qLinearConv,
});
