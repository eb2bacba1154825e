import type { Attrs, Value } from '../../../ir/index.js';
import { UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView, OnnxOpHandler } from '../context.js';
import { dtypeOfOnnx } from '../dtypes.js';
import { defineOnnxOps } from './table.js';
import { castTo, input, rank, reshape } from './util.js';

/** Elementwise ONNX ops: math, comparisons, logic, activations, Cast, Clip, Where, variadic ops. */

function unary(op: string, attrs: (node: OnnxNodeView) => Attrs = () => ({})): OnnxOpHandler {
  return (node, ctx) => [ctx.op(op, [input(node, 0)], attrs(node))];
}

/**
 * Before opset 7, binary ops broadcast only with `broadcast=1`, aligning B's dims with A's
 * starting at `axis` (default: B aligned to A's trailing dims, as numpy does).
 */
function legacyBroadcast(node: OnnxNodeView, ctx: ImportContext, a: Value, b: Value): Value {
  if (node.opset >= 7 || node.attrs.int('broadcast', 0) === 0 || !node.attrs.has('axis')) return b;
  const ra = rank(a);
  const rb = rank(b);
  let axis = node.attrs.int('axis');
  if (axis < 0) axis += ra;
  const trailing = ra - axis - rb;
  if (trailing <= 0) return b;
  return reshape(ctx, b, [...b.type.shape, ...new Array<number>(trailing).fill(1)]);
}

function binary(op: string, attrs: (node: OnnxNodeView) => Attrs = () => ({})): OnnxOpHandler {
  return (node, ctx) => {
    const a = input(node, 0);
    const b = legacyBroadcast(node, ctx, a, input(node, 1));
    return [ctx.op(op, [a, b], attrs(node))];
  };
}

/** Sum/Max/Min/Mean over any number of inputs, all broadcast together. */
function variadic(op: string, mean = false): OnnxOpHandler {
  return (node, ctx) => {
    const inputs = node.inputs.filter((v): v is Value => v !== undefined);
    if (inputs.length === 0) throw new UnsupportedOpError(`${node.where}: needs at least one input`);
    let acc = inputs[0];
    for (const v of inputs.slice(1)) acc = ctx.op(op, [acc, v]);
    if (mean && inputs.length > 1) acc = ctx.op('div', [acc, ctx.scalar(inputs.length, acc.type.dtype)]);
    if (acc === inputs[0]) return [ctx.op('identity', [acc])];
    return [acc];
  };
}

const alpha = (fallback: number) => (node: OnnxNodeView) => ({ alpha: node.attrs.float('alpha', fallback) });

function clip(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const dtype = x.type.dtype;
  const lowest = dtype === 'f32' || dtype === 'f16' ? -Infinity : dtype === 'u32' ? 0 : -2147483648;
  const highest = dtype === 'f32' || dtype === 'f16' ? Infinity : dtype === 'u32' ? 4294967295 : 2147483647;
  let lo: Value;
  let hi: Value;
  if (node.opset < 11) {
    lo = ctx.scalar(node.attrs.float('min', -3.4028234663852886e38), dtype);
    hi = ctx.scalar(node.attrs.float('max', 3.4028234663852886e38), dtype);
  } else {
    lo = node.inputs[1] ?? ctx.scalar(lowest, dtype);
    hi = node.inputs[2] ?? ctx.scalar(highest, dtype);
  }
  return [ctx.op('clip', [x, castTo(ctx, lo, dtype), castTo(ctx, hi, dtype)])];
}

function cast(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const to = dtypeOfOnnx(node.attrs.int('to'), node.where);
  return [to === x.type.dtype ? ctx.op('identity', [x]) : ctx.op('cast', [x], { to })];
}

function castLike(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const to = input(node, 1).type.dtype;
  return [to === x.type.dtype ? ctx.op('identity', [x]) : ctx.op('cast', [x], { to })];
}

/** Pow allows an exponent of another type; the result has the base's type. */
function pow(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const a = input(node, 0);
  const b = legacyBroadcast(node, ctx, a, input(node, 1));
  return [ctx.op('pow', [a, castTo(ctx, b, a.type.dtype)])];
}

/** Before opset 7 PRelu's 1-D slope is per channel (axis 1), not numpy-broadcast. */
function prelu(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  let slope = input(node, 1);
  const channels = x.type.shape[1];
  if (rank(slope) === 1 && rank(x) > 2 && slope.type.shape[0] === channels && slope.type.shape[0] !== x.type.shape[rank(x) - 1]) {
    slope = reshape(ctx, slope, [channels, ...new Array<number>(rank(x) - 2).fill(1)]);
  }
  return [ctx.op('prelu', [x, slope])];
}

/** Shrink: x + bias below −lambd, x − bias above lambd, 0 between. */
function shrink(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const dtype = x.type.dtype;
  const lambd = node.attrs.float('lambd', 0.5);
  const bias = node.attrs.float('bias', 0);
  const below = ctx.op('less', [x, ctx.scalar(-lambd, dtype)]);
  const above = ctx.op('greater', [x, ctx.scalar(lambd, dtype)]);
  const plus = ctx.op('add', [x, ctx.scalar(bias, dtype)]);
  const minus = ctx.op('sub', [x, ctx.scalar(bias, dtype)]);
  const zero = ctx.scalar(0, dtype);
  return [ctx.op('where', [below, plus, ctx.op('where', [above, minus, zero])])];
}

function bitShift(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const direction = node.attrs.string('direction');
  if (direction !== 'LEFT' && direction !== 'RIGHT') throw new UnsupportedOpError(`${node.where}: unknown direction '${direction}'`);
  return [ctx.op(direction === 'LEFT' ? 'shiftLeft' : 'shiftRight', [input(node, 0), input(node, 1)])];
}

defineOnnxOps({
  Abs: unary('abs'),
  Neg: unary('neg'),
  Exp: unary('exp'),
  Log: unary('log'),
  Sqrt: unary('sqrt'),
  Reciprocal: unary('reciprocal'),
  Sin: unary('sin'),
  Cos: unary('cos'),
  Tan: unary('tan'),
  Asin: unary('asin'),
  Acos: unary('acos'),
  Atan: unary('atan'),
  Sinh: unary('sinh'),
  Cosh: unary('cosh'),
  Asinh: unary('asinh'),
  Acosh: unary('acosh'),
  Atanh: unary('atanh'),
  Tanh: unary('tanh'),
  Sigmoid: unary('sigmoid'),
  Relu: unary('relu'),
  Floor: unary('floor'),
  Ceil: unary('ceil'),
  Round: unary('round'),
  Sign: unary('sign'),
  Not: unary('not'),
  BitwiseNot: unary('bitwiseNot'),
  IsNaN: unary('isNaN'),
  IsInf: unary('isInf', (node) => ({ detectPositive: node.attrs.int('detect_positive', 1) !== 0, detectNegative: node.attrs.int('detect_negative', 1) !== 0 })),
  Erf: unary('erf'),
  Softplus: unary('softplus'),
  Softsign: unary('softsign'),
  HardSwish: unary('hardSwish'),
  Mish: unary('mish'),
  LeakyRelu: unary('leakyRelu', alpha(0.01)),
  Elu: unary('elu', alpha(1)),
  Celu: unary('celu', alpha(1)),
  ThresholdedRelu: unary('thresholdedRelu', alpha(1)),
  Selu: unary('selu', (node) => ({ alpha: node.attrs.float('alpha', 1.67326319217681884765625), gamma: node.attrs.float('gamma', 1.05070102214813232421875) })),
  HardSigmoid: unary('hardSigmoid', (node) => ({ alpha: node.attrs.float('alpha', 0.2), beta: node.attrs.float('beta', 0.5) })),
  Gelu: unary('gelu', (node) => ({ approximate: node.attrs.string('approximate', 'none') })),
  Add: binary('add'),
  Sub: binary('sub'),
  Mul: binary('mul'),
  Div: binary('div'),
  Pow: pow,
  Mod: binary('mod', (node) => ({ fmod: node.attrs.int('fmod', 0) !== 0 })),
  PRelu: prelu,
  Equal: binary('equal'),
  Less: binary('less'),
  LessOrEqual: binary('lessEqual'),
  Greater: binary('greater'),
  GreaterOrEqual: binary('greaterEqual'),
  And: binary('and'),
  Or: binary('or'),
  Xor: binary('xor'),
  BitwiseAnd: binary('bitwiseAnd'),
  BitwiseOr: binary('bitwiseOr'),
  BitwiseXor: binary('bitwiseXor'),
  BitShift: bitShift,
  Sum: variadic('add'),
  Mean: variadic('add', true),
  Max: variadic('max'),
  Min: variadic('min'),
  Where: (node, ctx) => [ctx.op('where', [input(node, 0), input(node, 1), input(node, 2)])],
  Clip: clip,
  Cast: cast,
  CastLike: castLike,
  Shrink: shrink,
});
