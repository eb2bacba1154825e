import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { registerOp } from '../registry.js';
import type { Dim } from '../shape.js';
import { normalizeAxis } from '../shape.js';
import type { TensorType } from '../tensor.js';

/** Reductions over `axes` (empty = all axes), keeping reduced dims as 1 when keepdims. */

export const REDUCE_OPS = ['reduceSum', 'reduceMean', 'reduceMax', 'reduceMin', 'reduceProd'] as const;

export function reducedAxes(rank: number, axes: readonly number[], where: string): number[] {
  if (axes.length === 0) return [...Array(rank).keys()];
  const out = [...new Set(axes.map((a) => normalizeAxis(a, rank, where)))];
  return out.sort((a, b) => a - b);
}

export function reducedShape(x: TensorType, axes: readonly number[], keepdims: boolean): Dim[] {
  const out: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

for (const name of REDUCE_OPS) {
  registerOp({
    name,
    category: 'reduction',
    arity: [1, 1],
    attrs: { axes: { kind: 'ints', default: [] }, keepdims: { kind: 'bool', default: false } },
    infer([x], attrs, { where }) {
      if (x.dtype === 'bool') throw new DTypeError(`${where}: cannot reduce a bool tensor`);
      const axes = reducedAxes(x.shape.length, attrs.axes as number[], where);
      return [{ dtype: x.dtype, shape: reducedShape(x, axes, attrs.keepdims as boolean) }];
    },
  });
}

/** argMax/argMin along one axis → i32 indices; ties take the first (or last) index. */
for (const name of ['argMax', 'argMin']) {
  registerOp({
    name,
    category: 'reduction',
    arity: [1, 1],
    attrs: { axis: { kind: 'int', default: 0 }, keepdims: { kind: 'bool', default: true }, selectLastIndex: { kind: 'bool', default: false } },
    infer([x], attrs, { where }) {
      if (x.dtype === 'bool') throw new DTypeError(`${where}: cannot take ${name} of a bool tensor`);
      const axis = normalizeAxis(attrs.axis as number, x.shape.length, where);
      return [{ dtype: 'i32', shape: reducedShape(x, [axis], attrs.keepdims as boolean) }];
    },
  });
}

/** softmax / logSoftmax along one axis. */
for (const name of ['softmax', 'logSoftmax']) {
  registerOp({
    name,
    category: 'reduction',
    arity: [1, 1],
    attrs: { axis: { kind: 'int', default: -1 } },
    infer([x], attrs, { where }) {
      if (!isFloat(x.dtype)) throw new DTypeError(`${where}: input has dtype ${x.dtype}, expected a float`);
      normalizeAxis(attrs.axis as number, x.shape.length, where);
      return [{ dtype: x.dtype, shape: x.shape }];
    },
  });
}

/** cumSum along an axis (ONNX CumSum): exclusive and reverse variants. */
registerOp({
  name: 'cumSum',
  category: 'reduction',
  arity: [1, 1],
  attrs: { axis: { kind: 'int' }, exclusive: { kind: 'bool', default: false }, reverse: { kind: 'bool', default: false } },
  infer([x], attrs, { where }) {
    if (x.dtype === 'bool') throw new DTypeError(`${where}: cannot cumSum a bool tensor`);
    normalizeAxis(attrs.axis as number, x.shape.length, where);
    return [x];
  },
});
