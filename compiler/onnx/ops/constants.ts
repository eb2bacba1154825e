import type { HostTensor, Value } from '../../../ir/index.js';
import { numel, shapeNumel, ShapeError, stridesOf, UnsupportedOpError } from '../../../ir/index.js';
import { invertedDropout } from '../../dsl/dropout.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { ConstantRequiredError, dtypedArray } from '../context.js';
import { dtypeOfOnnx } from '../dtypes.js';
import { OnnxType } from '../proto.js';
import { decodeTensor } from '../tensor_proto.js';
import { defineOnnxOps } from './table.js';
import { castTo, checkHostElements, flag, input, normAxis, rank, reshape, staticShape } from './util.js';

/**
 * Ops whose results are known at import time (Constant, Shape, Size, ...) or that become
 * constants when their inputs are (ConstantOfShape, Range, EyeLike, NonZero), and Dropout.
 */

/** A decoded tensor as a constant, keeping the exact int64 values when they do not fit i32. */
export function tensorConstant(ctx: ImportContext, node: OnnxNodeView, proto: Parameters<typeof decodeTensor>[0]): Value {
  const decoded = decodeTensor(proto, { what: `${node.where}: value` });
  const v = ctx.constant(decoded.tensor);
  ctx.origin.set(v, node.where);
  ctx.onnxTypes.set(v, decoded.onnxType);
  if (decoded.wide) ctx.wide.set(v, decoded.wide);
  return v;
}

function constant(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const a = node.attrs;
  const t = a.tensor('value');
  if (t) return [tensorConstant(ctx, node, t)];
  if (a.has('value_float')) return [ctx.scalar(a.float('value_float'), 'f32')];
  if (a.has('value_floats')) return [ctx.vector(a.floats('value_floats'), 'f32')];
  if (a.has('value_int')) return [tensorConstant(ctx, node, { dataType: OnnxType.INT64, dims: [], int64Data: [a.int('value_int')] })];
  if (a.has('value_ints')) {
    const ints = a.ints('value_ints');
    return [tensorConstant(ctx, node, { dataType: OnnxType.INT64, dims: [ints.length], int64Data: ints })];
  }
  if (a.has('sparse_value')) return [ctx.constant(sparseToDense(node, a.raw('sparse_value')!.sparseTensor))];
  throw new UnsupportedOpError(`${node.where}: Constant of kind ${a.names().join(', ') || '(none)'} is not supported (strings are out of scope)`);
}

type SparseProto = NonNullable<ReturnType<OnnxNodeView['attrs']['raw']>>['sparseTensor'];

/** A SparseTensorProto (values + COO indices, flat or [nnz, rank]) as a dense tensor. */
function sparseToDense(node: OnnxNodeView, sparse: SparseProto): HostTensor {
  if (!sparse?.values || !sparse.indices) throw new UnsupportedOpError(`${node.where}: sparse_value without values or indices`);
  const values = decodeTensor(sparse.values, { what: `${node.where}: sparse values` }).tensor;
  const indices = Array.from(decodeTensor(sparse.indices, { what: `${node.where}: sparse indices` }).tensor.data as ArrayLike<number>);
  const shape = (sparse.dims ?? []).map(Number);
  const out = { dtype: values.dtype, shape, data: dtypedArray(values.dtype, new Array<number>(numel(shape)).fill(0)) };
  const strides = stridesOf(shape);
  const nnz = values.data.length;
  for (let i = 0; i < nnz; i++) {
    const flat = indices.length === nnz ? indices[i] : strides.reduce((acc, s, d) => acc + s * indices[i * shape.length + d], 0);
    if (flat < 0 || flat >= out.data.length) throw new ShapeError(`${node.where}: sparse index ${flat} is out of range for ${shape.join('x')}`);
    out.data[flat] = values.data[i];
  }
  return out;
}

function constantOfShape(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const shape = ctx.dimsOf(node, 0, 'shape');
  const proto = node.attrs.tensor('value');
  const fill = proto ? decodeTensor(proto, { what: `${node.where}: value` }).tensor : { dtype: 'f32' as const, shape: [1], data: new Float32Array(1) };
  return [ctx.op('fill', [], { shape, value: Number(fill.data[0] ?? 0), dtype: fill.dtype })];
}

function shape(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const dims = x.type.shape;
  const r = dims.length;
  const clampEnd = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clampEnd(node.attrs.int('start', 0));
  const end = node.attrs.has('end') ? clampEnd(node.attrs.int('end')) : r;
  return [ctx.shapeValue(dims.slice(start, Math.max(start, end)))];
}

function size(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  // A symbolic shape's element count is a dim expression, carried like Shape's values.
  return [ctx.shapeValue([shapeNumel(x.type.shape)], true)];
}

function range(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const [start] = ctx.constValues(node, 0, 'start');
  const [limit] = ctx.constValues(node, 1, 'limit');
  const [delta] = ctx.constValues(node, 2, 'delta');
  const dtype = input(node, 0).type.dtype;
  if (delta === 0) throw new ShapeError(`${node.where}: delta must not be 0`);
  const count = Math.max(0, Math.ceil((limit - start) / delta));
  checkHostElements(node, count, 'the range');
  // Computed here rather than by the range op: ONNX defines element i as start + i·delta.
  const values = Array.from({ length: count }, (_, i) => start + i * delta);
  return [ctx.constant({ dtype, shape: [count], data: dtypedArray(dtype, values) })];
}

function eyeLike(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const [rows, cols] = staticShape(node, x);
  if (rank(x) !== 2) throw new ShapeError(`${node.where}: input must be 2-D`);
  const k = node.attrs.int('k', 0);
  const dtype = node.attrs.has('dtype') ? dtypeOfOnnx(node.attrs.int('dtype'), node.where) : x.type.dtype;
  checkHostElements(node, rows * cols, 'the identity');
  const data = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) data[i * cols + i + k] = 1;
  return [ctx.constant({ dtype, shape: [rows, cols], data: dtypedArray(dtype, data) })];
}

/** NonZero's output size depends on the data: only a constant input has a static result. */
function nonZero(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const t = ctx.tensorOf(x);
  if (!t) throw new ConstantRequiredError(`${node.where}: NonZero requires a constant input (its output shape depends on the data)`, x.name);
  const strides = stridesOf(t.shape);
  const hits: number[] = [];
  for (let i = 0; i < t.data.length; i++) if (t.data[i] !== 0) hits.push(i);
  const r = Math.max(t.shape.length, 1);
  const data = new Array<number>(r * hits.length);
  hits.forEach((flat, j) => {
    for (let d = 0; d < r; d++) data[d * hits.length + j] = t.shape.length ? Math.floor(flat / strides[d]) % t.shape[d] : 0;
  });
  return [ctx.constant({ dtype: 'i32', shape: [r, hits.length], data: Int32Array.from(data) })];
}

/** Compress with a constant condition: a gather of the selected indices. */
function compress(node: OnnxNodeView, ctx: ImportContext): Value[] {
  let x = input(node, 0);
  const condition = ctx.constValues(node, 1, 'condition');
  let axis = 0;
  if (node.attrs.has('axis')) axis = normAxis(node, node.attrs.int('axis'), rank(x));
  else x = reshape(ctx, x, [numel(staticShape(node, x))]);
  const limit = Math.min(condition.length, x.type.shape[axis] as number);
  const picked = condition.slice(0, limit).flatMap((c, i) => (c ? [i] : []));
  return [ctx.op('gather', [x, ctx.vector(picked)], { axis })];
}

/**
 * Dropout. At inference the identity, and a mask of ones (bool from opset 10). In a model
 * imported for training (`ctx.training`) the DSL's inverted dropout (compiler/dsl/dropout.ts):
 * each element kept with probability 1 − ratio and scaled by 1/(1 − ratio), drawn from the
 * run's random key, the mask saying which were kept.
 */
function dropout(node: OnnxNodeView, ctx: ImportContext): (Value | undefined)[] {
  const x = input(node, 0);
  if (!ctx.training) checkInference(node, ctx);
  const ratio = ctx.training ? trainingRatio(node, ctx, x) : 0;
  const dropped = invertedDropout(ctx, x, ratio, ctx.training);
  // The output is a value of its own even where nothing is dropped.
  const output = dropped.output === x ? ctx.op('identity', [x]) : dropped.output;
  if (!node.outputs[1]) return [output];
  const maskType = node.opset >= 10 ? 'bool' : x.type.dtype;
  return [output, dropped.keep ? castTo(ctx, dropped.keep, maskType) : ctx.op('fill', [], { shape: [...x.type.shape], value: 1, dtype: maskType })];
}

/** The ratio of a Dropout imported for training, in [0, 1); a mask drawn at import needs the input's shape static. */
function trainingRatio(node: OnnxNodeView, ctx: ImportContext, x: Value): number {
  const ratio = node.opset >= 12 ? (node.inputs[1] ? ctx.constValues(node, 1, 'ratio')[0] : 0.5) : node.attrs.float('ratio', 0.5);
  if (!(ratio >= 0 && ratio < 1)) throw new ShapeError(`${node.where}: ratio ${ratio} must be in [0, 1)`);
  if (ratio !== 0) staticShape(node, x);
  return ratio;
}

/** An import for inference refuses a Dropout that asks for training mode with a non-zero ratio. */
function checkInference(node: OnnxNodeView, ctx: ImportContext): void {
  if (node.opset < 7 && !flag(node, 'is_test', false) && node.attrs.has('is_test')) {
    throw new UnsupportedOpError(`${node.where}: training-mode Dropout (is_test=0) is not supported`);
  }
  if (node.opset >= 12 && node.inputs[2]) {
    const training = ctx.valuesOf(node.inputs[2]);
    if (training === undefined) throw new ConstantRequiredError(`${node.where}: Dropout requires a constant training_mode`, node.inputs[2].name);
    // With ratio 0 training-mode dropout keeps everything; any other ratio draws random numbers.
    const ratio = node.inputs[1] ? ctx.valuesOf(node.inputs[1]) : [0.5];
    if (training[0] && ratio === undefined) throw new ConstantRequiredError(`${node.where}: training-mode Dropout requires a constant ratio`, node.inputs[1]!.name);
    if (training[0] && ratio![0] !== 0) throw new UnsupportedOpError(`${node.where}: training-mode Dropout with a non-zero ratio is not supported (inference only)`);
  }
}

defineOnnxOps({
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Shape: shape,
  Size: size,
  Range: range,
  EyeLike: eyeLike,
  NonZero: nonZero,
  Compress: compress,
  Dropout: dropout,
});
