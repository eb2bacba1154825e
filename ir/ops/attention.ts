import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { registerOp } from '../registry.js';
import type { Dim } from '../shape.js';
import { broadcastShapes, dimsMayBeEqual, formatShape } from '../shape.js';

/**
 * attention(q, k, v, scale[, mask]): softmax(scale · (q @ k) + mask) @ v, the softmax over the
 * last axis (max subtracted first). q is [..., Sq, D], k the keys already transposed
 * [..., D, Sk] (the right operand of the score matmul, as graphs write it), v [..., Sk, Dv],
 * with the same batch dims; scale has one element; the mask (additive: 0 / −∞ for a causal
 * one) broadcasts to the scores [..., Sq, Sk]. The result is [..., Sq, Dv].
 *
 * Graphs do not write it: the graph pass `fuseAttention` recognizes the matmul → (scale) →
 * (mask) → softmax → matmul chain, so one kernel computes it without the scores in memory.
 */
registerOp({
  name: 'attention',
  category: 'contraction',
  arity: [4, 5],
  attrs: {},
  infer([q, k, v, scale, mask], _attrs, { where }) {
    for (const [role, t] of [['k', k], ['v', v], ['scale', scale], ['mask', mask]] as const) {
      if (t && t.dtype !== q.dtype) throw new DTypeError(`${where}: ${role} has dtype ${t.dtype}, q has ${q.dtype}`);
    }
    if (!isFloat(q.dtype)) throw new DTypeError(`${where}: q has dtype ${q.dtype}, expected a float`);
    const rank = q.shape.length;
    if (rank < 2 || k.shape.length !== rank || v.shape.length !== rank) {
      throw new ShapeError(`${where}: q, k, v need the same rank ≥ 2, got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`);
    }
    const batch = q.shape.slice(0, -2);
    if (!k.shape.slice(0, -2).every((d, i) => dimsMayBeEqual(d, batch[i])) || !v.shape.slice(0, -2).every((d, i) => dimsMayBeEqual(d, batch[i]))) {
      throw new ShapeError(`${where}: batch dims differ: q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`);
    }
    const [sq, d] = q.shape.slice(-2);
    const [dk, sk] = k.shape.slice(-2);
    const [sv, dv] = v.shape.slice(-2);
    if (!dimsMayBeEqual(d, dk)) throw new ShapeError(`${where}: q ${formatShape(q.shape)} and k ${formatShape(k.shape)} differ in the head dim (${d} vs ${dk})`);
    if (!dimsMayBeEqual(sk, sv)) throw new ShapeError(`${where}: k ${formatShape(k.shape)} and v ${formatShape(v.shape)} differ in the number of keys (${sk} vs ${sv})`);
    if (scale.shape.some((s) => s !== 1)) throw new ShapeError(`${where}: scale must have one element, got ${formatShape(scale.shape)}`);
    const scores: Dim[] = [...batch, sq, sk];
    if (mask) {
      const joined = broadcastShapes([scores, mask.shape], where);
      if (joined.length !== scores.length || !joined.every((x, i) => dimsMayBeEqual(x, scores[i]))) {
        throw new ShapeError(`${where}: mask ${formatShape(mask.shape)} does not broadcast to the scores ${formatShape(scores)}`);
      }
    }
    return [{ dtype: q.dtype, shape: [...batch, sq, dv] }];
  },
});
