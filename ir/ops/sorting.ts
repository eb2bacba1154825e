import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { registerOp } from '../registry.js';
import { formatShape, normalizeAxis } from '../shape.js';

/**
 * Selection by order along one axis. The order is total: values compare by size (NaN above
 * every number, like numpy and PyTorch), equal values by index, the lower index first (ONNX).
 */

/**
 * topK(x) {k, axis, largest, sorted} → [values, indices (i32)]: the k largest (or smallest)
 * elements along the axis. Results always come in order, which also satisfies sorted=false.
 */
registerOp({
  name: 'topK',
  category: 'opaque',
  arity: [1, 1],
  attrs: {
    k: { kind: 'int' },
    axis: { kind: 'int', default: -1 },
    largest: { kind: 'bool', default: true },
    sorted: { kind: 'bool', default: true },
  },
  infer([x], attrs, { where }) {
    if (x.dtype === 'bool') throw new DTypeError(`${where}: cannot order a bool tensor`);
    const axis = normalizeAxis(attrs.axis as number, x.shape.length, where);
    const k = attrs.k as number;
    const dim = x.shape[axis];
    if (k < 0 || (typeof dim === 'number' && k > dim)) throw new ShapeError(`${where}: k = ${k} is out of range for axis ${axis} of ${formatShape(x.shape)}`);
    const shape = [...x.shape];
    shape[axis] = k;
    return [
      { dtype: x.dtype, shape },
      { dtype: 'i32', shape: [...shape] },
    ];
  },
});

/** hardmax(x) {axis}: 1 at the first maximum along the axis, 0 elsewhere (ONNX Hardmax-13). */
registerOp({
  name: 'hardmax',
  category: 'opaque',
  arity: [1, 1],
  attrs: { axis: { kind: 'int', default: -1 } },
  infer([x], attrs, { where }) {
    if (!isFloat(x.dtype)) throw new DTypeError(`${where}: input has dtype ${x.dtype}, expected float`);
    normalizeAxis(attrs.axis as number, x.shape.length, where);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
});
