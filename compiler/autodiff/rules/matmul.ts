import { registerGrad } from '../registry.js';
import { reshapeTo, sumToShape } from '../reshape_grad.js';

/**
 * matmul (numpy): with 1-D operands promoted to matrices (a: [K] → [1,K], b: [K] → [K,1]),
 * y = a·b gives da = dy·bᵀ and db = aᵀ·dy, each summed over the batch dims its operand was
 * broadcast along, then reshaped back to the operand's own shape.
 */
registerGrad('matmul', ({ x: [a, b], dy: [dy], needs }) => {
  if (!dy) return [null, null];
  const a2 = a.rank === 1 ? a.unsqueeze([0]) : a;
  const b2 = b.rank === 1 ? b.unsqueeze([1]) : b;
  let g = dy;
  if (a.rank === 1) g = g.unsqueeze([g.rank - (b.rank === 1 ? 0 : 1)]);
  if (b.rank === 1) g = g.unsqueeze([g.rank]);
  const da = needs[0] ? reshapeTo(sumToShape(g.matmul(b2.mT), a2.shape), a.shape) : null;
  const db = needs[1] ? reshapeTo(sumToShape(a2.mT.matmul(g), b2.shape), b.shape) : null;
  return [da, db];
});
