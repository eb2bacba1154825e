import { DTypeError, ShapeError } from '../errors.js';
import { registerOp } from '../registry.js';
import type { Dim } from '../shape.js';
import { broadcastShapes, formatShape } from '../shape.js';

/**
 * matmul with numpy semantics: batched, batch dims broadcast, a 1-D left operand is a row
 * vector and a 1-D right operand a column vector (the added dim is removed from the result).
 */
registerOp({
  name: 'matmul',
  category: 'contraction',
  arity: [2, 2],
  attrs: {},
  infer([a, b], _attrs, { where }) {
    if (a.dtype !== b.dtype) throw new DTypeError(`${where}: operands have dtypes ${a.dtype} and ${b.dtype}; they must match`);
    if (a.dtype === 'bool') throw new DTypeError(`${where}: cannot multiply bool matrices`);
    if (a.shape.length === 0 || b.shape.length === 0) throw new ShapeError(`${where}: operands must have rank ≥ 1, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
    const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
    const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
    const k1 = as[as.length - 1];
    const k2 = bs[bs.length - 2];
    if (k1 !== k2 && typeof k1 === 'number' && typeof k2 === 'number') {
      throw new ShapeError(`${where}: inner dims differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${k1} vs ${k2})`);
    }
    const batch = broadcastShapes([as.slice(0, -2), bs.slice(0, -2)], where);
    const out: Dim[] = [...batch];
    if (a.shape.length > 1) out.push(as[as.length - 2]);
    if (b.shape.length > 1) out.push(bs[bs.length - 1]);
    return [{ dtype: a.dtype, shape: out }];
  },
});
