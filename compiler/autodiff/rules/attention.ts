import { registerGrad } from '../registry.js';
import { reshapeTo, sumToShape } from '../reshape_grad.js';

/**
 * attention(q, k, v, scale[, mask]) = p @ v with p = softmax(scale · q@k + mask) over the last
 * axis. The rule recomputes p from the inputs (the forward op keeps no scores) and returns the
 * gradients of the ops it stands for: dv = pᵀ·dy; dp = dy·vᵀ; du = p ⊙ (dp − Σ_row dp ⊙ p)
 * (softmax's); dmask = du summed to the mask's shape; dscale = Σ du ⊙ (q@k); the scores'
 * gradient ds = scale · du gives dq = ds·kᵀ and dk = qᵀ·ds.
 */
registerGrad('attention', ({ x: [q, k, v, scale, mask], dy: [dy], needs }) => {
  if (!dy) return [null, null, null, null, null];
  const scores = q.matmul(k);
  const shifted = mask ? scores.mul(scale).add(mask) : scores.mul(scale);
  const p = shifted.softmax(-1);
  const dv = needs[2] ? p.mT.matmul(dy) : null;
  const dp = dy.matmul(v.mT);
  const du = p.mul(dp.sub(dp.mul(p).sum(-1, true)));
  const ds = du.mul(scale);
  const dq = needs[0] ? ds.matmul(k.mT) : null;
  const dk = needs[1] ? q.mT.matmul(ds) : null;
  const dscale = needs[3] ? reshapeTo(du.mul(scores).sum(), scale.shape) : null;
  const dmask = mask && needs[4] ? sumToShape(du, mask.shape) : null;
  return mask ? [dq, dk, dv, dscale, dmask] : [dq, dk, dv, dscale];
});
