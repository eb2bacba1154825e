import { registerGrad } from '../registry.js';
import { sumToShape } from '../reshape_grad.js';

/**
 * layerNorm over the trailing axes from `axis`: y = x̂·scale + bias with x̂ = (x − μ)·rstd.
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) where g = dy·scale, the means over the normalized axes.
 */
registerGrad('layerNorm', ({ x: [x, scale, bias], dy: [dy], needs, attr }) => {
  if (!dy) return [null, null, null];
  const start = attr<number>('axis') < 0 ? attr<number>('axis') + x.rank : attr<number>('axis');
  const axes = Array.from({ length: x.rank - start }, (_, i) => start + i);
  const centered = x.sub(x.mean(axes, true));
  const rstd = centered.square().mean(axes, true).add(attr<number>('epsilon')).rsqrt();
  const xhat = centered.mul(rstd);
  const g = scale ? dy.mul(scale) : dy;
  const dx = needs[0] ? rstd.mul(g.sub(g.mean(axes, true)).sub(xhat.mul(g.mul(xhat).mean(axes, true)))) : null;
  return [dx, scale && needs[1] ? sumToShape(dy.mul(xhat), scale.shape) : null, bias && needs[2] ? sumToShape(dy, bias.shape) : null];
});
