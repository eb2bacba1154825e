import { broadcastCoords, derivedAccess } from '../access.js';
import type { WgslType } from '../expr.js';
import { convert, literal } from '../expr.js';
import { registerLowering } from '../lowering.js';

/**
 * matmul with numpy semantics, the simple way: each output element loops over K, reading both
 * operands' accesses (so transposes, casts or scales feeding it fuse as index/expression
 * rewriting). Batch dims broadcast; a 1-D operand contributes no row (left) or column (right)
 * coordinate. Floats accumulate in f32 (f16 included); i32/u32 wrap like the reference. The
 * fast tiled kernel is a separate template.
 */
registerLowering('matmul', ({ b, inputs: [lhs, rhs], outputs: [out] }) => {
  const lhsVector = lhs.shape.length === 1;
  const rhsVector = rhs.shape.length === 1;
  const k = lhs.shape[lhs.shape.length - 1];
  const lhsBatch = lhs.shape.slice(0, -2);
  const rhsBatch = rhs.shape.slice(0, -2);
  const batchRank = out.shape.length - (lhsVector ? 0 : 1) - (rhsVector ? 0 : 1);
  const accType: WgslType = out.dtype === 'f16' ? 'f32' : out.dtype;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      if (k === 0) return literal(0, out.dtype);
      const batch = coords.slice(0, batchRank);
      const row = coords[batchRank];
      const col = coords[coords.length - 1];
      const acc = b.variable(literal(0, accType), 'acc');
      b.loopDim(k, (q) => {
        const a = convert(lhs.at(lhsVector ? [q] : [...broadcastCoords(batch, lhsBatch), row, q]), accType);
        const c = convert(rhs.at(rhsVector ? [q] : [...broadcastCoords(batch, rhsBatch), q, col]), accType);
        b.line(`${acc.code} = ${acc.code} + ${a.code} * ${c.code};`);
      });
      return convert(acc, out.dtype);
    }),
  ];
});
