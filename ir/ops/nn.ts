import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { Attrs } from '../graph.js';
import type { AttrSpec } from '../registry.js';
import { registerOp } from '../registry.js';
import type { Dim } from '../shape.js';
import { dimsMayBeEqual, formatShape } from '../shape.js';
import type { TensorType } from '../tensor.js';
import type { WindowGeometry } from './sliding_window.js';
import { mulDims } from '../dim_expr.js';
import { slidingOutputDims, transposedOutputDim, transposedOutputSize, windowConstraints, windowGeometry } from './sliding_window.js';

export { resolveAutoPad, resolveConvTransposePads, slidingOutputSize, transposedOutputSize, windowExtent, windowGeometry } from './sliding_window.js';
export type { AutoPad, WindowGeometry } from './sliding_window.js';

/**
 * Convolutions and pooling, N-D over NC… layouts (ONNX's NCHW / OIHW), plus the backward ops
 * autodiff builds from them. Attribute lists are per spatial axis; empty means the default.
 */

const ints = (fallback: number[] = []): AttrSpec => ({ kind: 'ints', default: fallback });
const WINDOW_ATTRS = { strides: ints(), pads: ints(), dilations: ints() } as const;
const CONV_ATTRS = { ...WINDOW_ATTRS, group: { kind: 'int', default: 1 } } as const;
const POOL_ATTRS = { kernelShape: { kind: 'ints' }, ...WINDOW_ATTRS, ceilMode: { kind: 'bool', default: false } } as const;
const AVG_POOL_ATTRS = { ...POOL_ATTRS, countIncludePad: { kind: 'bool', default: false } } as const;

function requireFloat(t: TensorType, where: string, role: string): void {
  if (!isFloat(t.dtype)) throw new DTypeError(`${where}: ${role} has dtype ${t.dtype}, expected a float`);
}

function requireSameDType(a: TensorType, b: TensorType, where: string, roles: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${where}: ${roles} have dtypes ${a.dtype} and ${b.dtype}; they must match`);
}

/** x must be [N, C, spatial...] with at least one spatial axis. */
function requireBatchedImage(x: TensorType, where: string, role: string): void {
  if (x.shape.length < 3) throw new ShapeError(`${where}: ${role} must be [N, C, spatial...] (rank ≥ 3), got ${formatShape(x.shape)}`);
}

/** Checks a numeric dim equals an expected one (symbolic dims are trusted until bound). */
function requireDim(actual: Dim, expected: Dim, where: string, what: string): void {
  if (!dimsMayBeEqual(actual, expected)) {
    throw new ShapeError(`${where}: ${what} is ${actual}, expected ${expected}`);
  }
}

function staticKernel(w: TensorType, where: string): number[] {
  const kernel = w.shape.slice(2);
  if (kernel.some((d) => typeof d !== 'number')) throw new ShapeError(`${where}: weight shape ${formatShape(w.shape)} must have a static kernel`);
  return kernel as number[];
}

function requireBias(bias: TensorType | undefined, channels: Dim, x: TensorType, where: string): void {
  if (!bias) return;
  requireSameDType(x, bias, where, 'input and bias');
  if (bias.shape.length !== 1) throw new ShapeError(`${where}: bias must be 1-D, got ${formatShape(bias.shape)}`);
  requireDim(bias.shape[0], channels, where, 'bias length');
}

function groupOf(attrs: Attrs, where: string): number {
  const group = attrs.group as number;
  if (group < 1) throw new ShapeError(`${where}: group ${group} must be ≥ 1`);
  return group;
}

/** Checks conv operands; returns the geometry and the output channel count. */
export function convOperands(x: TensorType, w: TensorType, attrs: Attrs, where: string): { geometry: WindowGeometry; outChannels: Dim } {
  requireBatchedImage(x, where, 'input');
  if (w.shape.length !== x.shape.length) {
    throw new ShapeError(`${where}: weight ${formatShape(w.shape)} must have the input's rank ${x.shape.length} ([M, C/group, k...])`);
  }
  const group = groupOf(attrs, where);
  const [m, cPerGroup] = w.shape;
  const c = x.shape[1];
  if (typeof c === 'number' && typeof cPerGroup === 'number' && c !== cPerGroup * group) {
    throw new ShapeError(`${where}: input has ${c} channels but weight ${formatShape(w.shape)} with group ${group} expects ${cPerGroup * group}`);
  }
  if (typeof m === 'number' && m % group !== 0) throw new ShapeError(`${where}: ${m} output channels do not divide into ${group} groups`);
  return { geometry: windowGeometry(attrs, staticKernel(w, where), where), outChannels: m };
}

/** conv(x, w[, bias]): y[n, m, o] = bias[m] + Σ_{c in group(m), k} x[n, c, o·s − padBegin + k·d] · w[m, c, k]. */
registerOp({
  name: 'conv',
  category: 'contraction',
  arity: [2, 3],
  attrs: CONV_ATTRS,
  infer([x, w, bias], attrs, { where }) {
    requireFloat(x, where, 'input');
    requireSameDType(x, w, where, 'input and weight');
    const { geometry, outChannels } = convOperands(x, w, attrs, where);
    requireBias(bias, outChannels, x, where);
    return [{ dtype: x.dtype, shape: [x.shape[0], outChannels, ...slidingOutputDims('conv', x.shape.slice(2), geometry, false, where)] }];
  },
  constraints: ([x, w], attrs, { where }) => windowConstraints('conv', x.shape.slice(2), convOperands(x, w, attrs, where).geometry, where),
});

/** Checks convTranspose operands (w is [C_in, C_out/group, k...]); returns geometry and C_out. */
export function convTransposeOperands(x: TensorType, w: TensorType, attrs: Attrs, where: string): { geometry: WindowGeometry; outChannels: Dim } {
  requireBatchedImage(x, where, 'input');
  if (w.shape.length !== x.shape.length) {
    throw new ShapeError(`${where}: weight ${formatShape(w.shape)} must have the input's rank ${x.shape.length} ([C, M/group, k...])`);
  }
  const group = groupOf(attrs, where);
  const [cIn, mPerGroup] = w.shape;
  requireDim(x.shape[1], cIn, where, 'input channel count (weight dim 0)');
  if (typeof cIn === 'number' && cIn % group !== 0) throw new ShapeError(`${where}: ${cIn} input channels do not divide into ${group} groups`);
  const outChannels = mulDims(mPerGroup, group);
  return { geometry: windowGeometry(attrs, staticKernel(w, where), where, true), outChannels };
}

/** convTranspose(x, w[, bias]): the gradient of conv w.r.t. its input, as a forward op (ONNX semantics). */
registerOp({
  name: 'convTranspose',
  category: 'contraction',
  arity: [2, 3],
  attrs: { ...CONV_ATTRS, outputPadding: ints() },
  infer([x, w, bias], attrs, { where }) {
    requireFloat(x, where, 'input');
    requireSameDType(x, w, where, 'input and weight');
    const { geometry, outChannels } = convTransposeOperands(x, w, attrs, where);
    requireBias(bias, outChannels, x, where);
    const spatial = x.shape.slice(2);
    const outputPadding = (attrs.outputPadding as number[]).length ? (attrs.outputPadding as number[]) : spatial.map(() => 0);
    if (outputPadding.length !== spatial.length) throw new ShapeError(`${where}: outputPadding has ${outputPadding.length} values, expected ${spatial.length}`);
    const out = spatial.map((d, axis) => {
      if (typeof d === 'string') return transposedOutputDim(d, geometry, axis, outputPadding[axis]);
      const size = transposedOutputSize(d, geometry, axis, outputPadding[axis]);
      if (size < 1) throw new ShapeError(`${where}: spatial axis ${axis} has output size ${size}`);
      return size;
    });
    return [{ dtype: x.dtype, shape: [x.shape[0], outChannels, ...out] }];
  },
});

function poolGeometry(x: TensorType, attrs: Attrs, where: string): WindowGeometry {
  requireBatchedImage(x, where, 'input');
  const kernel = attrs.kernelShape as number[];
  if (kernel.length !== x.shape.length - 2) {
    throw new ShapeError(`${where}: kernelShape [${kernel.join(',')}] has ${kernel.length} axes, input ${formatShape(x.shape)} has ${x.shape.length - 2} spatial axes`);
  }
  return windowGeometry(attrs, kernel, where);
}

/** Output type of a pool over x (N and C kept, spatial axes slide). */
export function pooledType(op: string, x: TensorType, attrs: Attrs, where: string): TensorType {
  const g = poolGeometry(x, attrs, where);
  return { dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...slidingOutputDims(op, x.shape.slice(2), g, attrs.ceilMode as boolean, where)] };
}

/** maxPool: the max over each window's positions inside the input (padding never wins). */
registerOp({
  name: 'maxPool',
  category: 'reduction',
  arity: [1, 1],
  attrs: POOL_ATTRS,
  infer([x], attrs, { where }) {
    if (x.dtype === 'bool') throw new DTypeError(`${where}: cannot max-pool a bool tensor`);
    return [pooledType('maxPool', x, attrs, where)];
  },
  constraints: ([x], attrs, { where }) => windowConstraints('maxPool', x.shape.slice(2), poolGeometry(x, attrs, where), where),
});

/** avgPool: the mean over each window; the divisor counts pads only with countIncludePad. */
registerOp({
  name: 'avgPool',
  category: 'reduction',
  arity: [1, 1],
  attrs: AVG_POOL_ATTRS,
  infer([x], attrs, { where }) {
    requireFloat(x, where, 'input');
    return [pooledType('avgPool', x, attrs, where)];
  },
  constraints: ([x], attrs, { where }) => windowConstraints('avgPool', x.shape.slice(2), poolGeometry(x, attrs, where), where),
});

/** lpPool: (Σ |x|^p)^(1/p) over each window (pads contribute nothing). */
registerOp({
  name: 'lpPool',
  category: 'reduction',
  arity: [1, 1],
  attrs: { ...POOL_ATTRS, p: { kind: 'float', default: 2 } },
  infer([x], attrs, { where }) {
    requireFloat(x, where, 'input');
    if (!((attrs.p as number) > 0)) throw new ShapeError(`${where}: p ${attrs.p as number} must be > 0`);
    return [pooledType('lpPool', x, attrs, where)];
  },
  constraints: ([x], attrs, { where }) => windowConstraints('lpPool', x.shape.slice(2), poolGeometry(x, attrs, where), where),
});

/** The spatial dims of a forward input named by a gradient op's `inputShape`-like attribute. */
function spatialOfAttr(attrs: Attrs, key: string, rank: number, where: string): Dim[] {
  const shape = attrs[key] as readonly Dim[];
  if (shape.length !== rank) throw new ShapeError(`${where}: attribute '${key}' ${formatShape(shape)} must have rank ${rank}`);
  return shape.slice(2);
}

/** Checks that dy has the shape the forward op gives for an input of `forwardInput`. */
function requireForwardOutput(dy: TensorType, forward: TensorType, where: string): void {
  if (dy.shape.length !== forward.shape.length) throw new ShapeError(`${where}: gradient ${formatShape(dy.shape)} does not match the forward output ${formatShape(forward.shape)}`);
  dy.shape.forEach((d, i) => requireDim(d, forward.shape[i], where, `gradient dim ${i} (forward output ${formatShape(forward.shape)})`));
}

/** convGradInput(dy, w) {inputShape}: dx of conv, i.e. a convTranspose sized to the forward input. */
registerOp({
  name: 'convGradInput',
  category: 'reduction',
  arity: [2, 2],
  attrs: { ...CONV_ATTRS, inputShape: { kind: 'dims' } },
  infer([dy, w], attrs, { where }) {
    requireFloat(dy, where, 'gradient');
    requireSameDType(dy, w, where, 'gradient and weight');
    requireBatchedImage(dy, where, 'gradient');
    const spatial = spatialOfAttr(attrs, 'inputShape', dy.shape.length, where);
    const group = groupOf(attrs, where);
    const channels = typeof w.shape[1] === 'number' ? w.shape[1] * group : (attrs.inputShape as Dim[])[1];
    const x: TensorType = { dtype: dy.dtype, shape: [dy.shape[0], channels, ...spatial] };
    const { geometry, outChannels } = convOperands(x, w, attrs, where);
    requireDim(dy.shape[1], outChannels, where, 'gradient channel count');
    if (spatial.every((d) => typeof d === 'number')) {
      requireForwardOutput(dy, { dtype: dy.dtype, shape: [dy.shape[0], outChannels, ...slidingOutputDims('conv', spatial, geometry, false, where)] }, where);
    }
    return [x];
  },
});

/** convGradWeight(x, dy) {weightShape}: dw[m, c, k] = Σ_{n, o} dy[n, m, o] · x[n, g·C/group + c, o·s − padBegin + k·d]. */
registerOp({
  name: 'convGradWeight',
  category: 'reduction',
  arity: [2, 2],
  attrs: { ...CONV_ATTRS, weightShape: { kind: 'dims' } },
  infer([x, dy], attrs, { where }) {
    requireFloat(x, where, 'input');
    requireSameDType(x, dy, where, 'input and gradient');
    requireBatchedImage(x, where, 'input');
    const kernel = spatialOfAttr(attrs, 'weightShape', x.shape.length, where);
    const group = groupOf(attrs, where);
    const c = x.shape[1];
    const cPerGroup = typeof c === 'number' ? c / group : (attrs.weightShape as Dim[])[1];
    if (typeof cPerGroup === 'number' && !Number.isInteger(cPerGroup)) throw new ShapeError(`${where}: ${c as number} input channels do not divide into ${group} groups`);
    const w: TensorType = { dtype: x.dtype, shape: [dy.shape[1], cPerGroup, ...kernel] };
    const { geometry } = convOperands(x, w, attrs, where);
    requireForwardOutput(dy, { dtype: x.dtype, shape: [x.shape[0], dy.shape[1], ...slidingOutputDims('conv', x.shape.slice(2), geometry, false, where)] }, where);
    return [w];
  },
});

/** maxPoolGrad(x, dy): dx routes each window's gradient to the first max of that window. */
registerOp({
  name: 'maxPoolGrad',
  category: 'reduction',
  arity: [2, 2],
  attrs: POOL_ATTRS,
  infer([x, dy], attrs, { where }) {
    requireFloat(x, where, 'input');
    requireSameDType(x, dy, where, 'input and gradient');
    requireForwardOutput(dy, pooledType('maxPool', x, attrs, where), where);
    return [x];
  },
});

/** avgPoolGrad(dy) {inputShape}: dx spreads each window's gradient evenly over its divisor. */
registerOp({
  name: 'avgPoolGrad',
  category: 'reduction',
  arity: [1, 1],
  attrs: { ...AVG_POOL_ATTRS, inputShape: { kind: 'dims' } },
  infer([dy], attrs, { where }) {
    requireFloat(dy, where, 'gradient');
    requireBatchedImage(dy, where, 'gradient');
    const spatial = spatialOfAttr(attrs, 'inputShape', dy.shape.length, where);
    const x: TensorType = { dtype: dy.dtype, shape: [dy.shape[0], dy.shape[1], ...spatial] };
    requireForwardOutput(dy, pooledType('avgPool', x, attrs, where), where);
    return [x];
  },
});
