import { normalizeAxis } from '../../../ir/index.js';
import type { Tensor } from '../../dsl/tensor.js';
import type { GradContext } from '../registry.js';
import { registerGrad } from '../registry.js';
import { broadcastLike, countOf, keepDims, reductionAxes } from '../reshape_grad.js';

/** Reductions: the output gradient, with reduced axes restored, is spread back over the input. */

interface Reduced {
  readonly x: Tensor;
  readonly axes: number[];
  /** dy with the reduced axes as size 1. */
  readonly dy: Tensor;
  /** y with the reduced axes as size 1. */
  readonly y: Tensor;
}

function reduced(ctx: GradContext): Reduced | null {
  const dy = ctx.dy[0];
  if (!dy) return null;
  const x = ctx.x[0];
  const axes = reductionAxes(x.rank, ctx.attr<number[]>('axes'));
  const keep = ctx.attr<boolean>('keepdims');
  return { x, axes, dy: keepDims(dy, axes, keep), y: keepDims(ctx.y[0], axes, keep) };
}

const expandTo = (t: Tensor, like: Tensor) => broadcastLike(t, like);

registerGrad('reduceSum', (ctx) => {
  const r = reduced(ctx);
  return [r && expandTo(r.dy, r.x)];
});

registerGrad('reduceMean', (ctx) => {
  const r = reduced(ctx);
  if (!r) return [null];
  return [expandTo(r.dy.div(countOf(r.x, r.axes)), r.x)];
});

/** max/min: the gradient goes to the elements equal to the result, shared equally among ties. */
for (const op of ['reduceMax', 'reduceMin']) {
  registerGrad(op, (ctx) => {
    const r = reduced(ctx);
    if (!r) return [null];
    const hit = r.x.equal(r.y).cast(r.x.dtype);
    const ties = hit.sum(r.axes, true);
    return [hit.mul(r.dy.div(ties))];
  });
}

/** prod: ∂y/∂x_i = y / x_i (undefined where x_i = 0: NaN there, as in y/x). */
registerGrad('reduceProd', (ctx) => {
  const r = reduced(ctx);
  return [r && r.dy.mul(r.y).div(r.x)];
});

registerGrad('softmax', ({ y: [y], dy: [dy], attr }) => {
  if (!dy) return [null];
  const axis = attr<number>('axis');
  return [y.mul(dy.sub(dy.mul(y).sum(axis, true)))];
});

registerGrad('logSoftmax', ({ y: [y], dy: [dy], attr }) => {
  if (!dy) return [null];
  const axis = attr<number>('axis');
  return [dy.sub(y.exp().mul(dy.sum(axis, true)))];
});

/** cumSum's adjoint is the cumulative sum running the other way (same exclusivity). */
registerGrad('cumSum', ({ x: [x], dy: [dy], attr }) => {
  if (!dy) return [null];
  const axis = normalizeAxis(attr<number>('axis'), x.rank, 'cumSum gradient');
  return [dy.cumSum(axis, { exclusive: attr<boolean>('exclusive'), reverse: !attr<boolean>('reverse') })];
});
