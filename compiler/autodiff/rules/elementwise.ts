import { isFloat } from '../../../ir/index.js';
import type { Tensor } from '../../dsl/tensor.js';
import type { GradContext } from '../registry.js';
import { registerGrad } from '../registry.js';
import { sumToShape } from '../reshape_grad.js';

/**
 * Elementwise ops: dx = dy · f'(x), written with the forward output y where that is cheaper
 * (exp, sigmoid, tanh...). Binary ops broadcast, so each input's gradient is summed back to
 * its own shape.
 */

type Unary = (x: Tensor, y: Tensor, dy: Tensor, ctx: GradContext) => Tensor;

const num = (ctx: GradContext, name: string) => ctx.attr<number>(name);
const SQRT_2_PI = Math.sqrt(2 * Math.PI);

const UNARY: Record<string, Unary> = {
  neg: (_x, _y, dy) => dy.neg(),
  abs: (x, _y, dy) => dy.mul(x.sign()),
  exp: (_x, y, dy) => dy.mul(y),
  log: (x, _y, dy) => dy.div(x),
  sqrt: (_x, y, dy) => dy.mul(0.5).div(y),
  rsqrt: (x, y, dy) => dy.mul(-0.5).mul(y).div(x),
  reciprocal: (_x, y, dy) => dy.neg().mul(y.square()),
  sin: (x, _y, dy) => dy.mul(x.cos()),
  cos: (x, _y, dy) => dy.neg().mul(x.sin()),
  tan: (_x, y, dy) => dy.mul(y.square().add(1)),
  asin: (x, _y, dy) => dy.mul(x.square().neg().add(1).rsqrt()),
  acos: (x, _y, dy) => dy.neg().mul(x.square().neg().add(1).rsqrt()),
  atan: (x, _y, dy) => dy.div(x.square().add(1)),
  sinh: (x, _y, dy) => dy.mul(x.cosh()),
  cosh: (x, _y, dy) => dy.mul(x.sinh()),
  asinh: (x, _y, dy) => dy.mul(x.square().add(1).rsqrt()),
  acosh: (x, _y, dy) => dy.mul(x.square().sub(1).rsqrt()),
  atanh: (x, _y, dy) => dy.div(x.square().neg().add(1)),
  tanh: (_x, y, dy) => dy.mul(y.square().neg().add(1)),
  sigmoid: (_x, y, dy) => dy.mul(y).mul(y.neg().add(1)),
  // Through the output (y > 0 ⇔ x > 0): the backward pass then keeps only the activation the
  // next layer reads, not also the pre-activation (which fusion need not materialize).
  relu: (_x, y, dy) => y.greater(0).where(dy, 0),
  leakyRelu: (x, _y, dy, ctx) => x.greaterEqual(0).where(dy, dy.mul(num(ctx, 'alpha'))),
  elu: (x, y, dy, ctx) => x.greater(0).where(dy, dy.mul(y.add(num(ctx, 'alpha')))),
  selu: (x, y, dy, ctx) => {
    const gamma = num(ctx, 'gamma');
    return x.greater(0).where(dy.mul(gamma), dy.mul(y.add(gamma * num(ctx, 'alpha'))));
  },
  celu: (x, _y, dy, ctx) => x.greater(0).where(dy, dy.mul(x.div(num(ctx, 'alpha')).exp())),
  gelu: (x, _y, dy, ctx) => {
    if (ctx.attr<string>('approximate') === 'tanh') {
      const c = Math.sqrt(2 / Math.PI);
      const t = x.add(x.square().mul(x).mul(0.044715)).mul(c).tanh();
      const inner = x.square().mul(3 * 0.044715).add(1).mul(c);
      const d = t.add(1).mul(0.5).add(x.mul(0.5).mul(t.square().neg().add(1)).mul(inner));
      return dy.mul(d);
    }
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x.square().mul(-0.5).exp().mul(1 / SQRT_2_PI);
    return dy.mul(cdf.add(x.mul(pdf)));
  },
  softplus: (x, _y, dy) => dy.mul(x.sigmoid()),
  softsign: (x, _y, dy) => dy.div(x.abs().add(1).square()),
  mish: (x, _y, dy) => {
    const t = x.softplus().tanh();
    return dy.mul(t.add(x.mul(t.square().neg().add(1)).mul(x.sigmoid())));
  },
  hardSigmoid: (x, _y, dy, ctx) => {
    const alpha = num(ctx, 'alpha');
    const z = x.mul(alpha).add(num(ctx, 'beta'));
    return z.greater(0).and(z.less(1)).where(dy.mul(alpha), 0);
  },
  hardSwish: (x, _y, dy) => {
    const inside = x.greater(-3).and(x.less(3));
    return inside.where(dy.mul(x.div(3).add(0.5)), x.greaterEqual(3).where(dy, 0));
  },
  thresholdedRelu: (x, _y, dy, ctx) => x.greater(num(ctx, 'alpha')).where(dy, 0),
  erf: (x, _y, dy) => dy.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI))),
  identity: (_x, _y, dy) => dy,
};

for (const [op, rule] of Object.entries(UNARY)) {
  registerGrad(op, (ctx) => {
    const dy = ctx.dy[0];
    return [dy ? rule(ctx.x[0], ctx.y[0], dy, ctx) : null];
  });
}

/** cast between floats passes the gradient (back in the input's dtype); to integers, none. */
registerGrad('cast', ({ x: [x], dy: [dy] }) => [dy && isFloat(x.dtype) ? dy.cast(x.dtype) : null]);

type Binary = (a: Tensor, b: Tensor, y: Tensor, dy: Tensor, ctx: GradContext) => [Tensor | null, Tensor | null];

/** trunc(q) = sign(q)·floor(|q|), for C-style fmod. */
const trunc = (q: Tensor) => q.less(0).where(q.ceil(), q.floor());

const BINARY: Record<string, Binary> = {
  add: (_a, _b, _y, dy) => [dy, dy],
  sub: (_a, _b, _y, dy) => [dy, dy.neg()],
  mul: (a, b, _y, dy, ctx) => [ctx.needs[0] ? dy.mul(b) : null, ctx.needs[1] ? dy.mul(a) : null],
  div: (_a, b, y, dy, ctx) => [ctx.needs[0] ? dy.div(b) : null, ctx.needs[1] ? dy.neg().mul(y).div(b) : null],
  pow: (a, b, y, dy, ctx) => [
    ctx.needs[0] ? dy.mul(b).mul(a.pow(b.sub(1))) : null,
    // d/db a^b = a^b·ln a, defined for a > 0 (0 elsewhere rather than NaN).
    ctx.needs[1] ? a.greater(0).where(dy.mul(y).mul(a.log()), 0) : null,
  ],
  // Ties send the gradient to the first operand.
  max: (a, b, _y, dy) => {
    const first = a.greaterEqual(b);
    return [first.where(dy, 0), first.where(0, dy)];
  },
  min: (a, b, _y, dy) => {
    const first = a.lessEqual(b);
    return [first.where(dy, 0), first.where(0, dy)];
  },
  mod: (a, b, _y, dy, ctx) => {
    const q = a.div(b);
    return [dy, ctx.needs[1] ? dy.neg().mul(ctx.attr<boolean>('fmod') ? trunc(q) : q.floor()) : null];
  },
  prelu: (a, b, _y, dy) => {
    const positive = a.greaterEqual(0);
    return [positive.where(dy, dy.mul(b)), positive.where(0, dy.mul(a))];
  },
  atan2: (a, b, _y, dy) => {
    const r2 = a.square().add(b.square());
    return [dy.mul(b).div(r2), dy.neg().mul(a).div(r2)];
  },
};

for (const [op, rule] of Object.entries(BINARY)) {
  registerGrad(op, (ctx) => {
    const dy = ctx.dy[0];
    if (!dy) return [null, null];
    const [a, b] = ctx.x;
    const [da, db] = rule(a, b, ctx.y[0], dy, ctx);
    return [ctx.needs[0] && da ? sumToShape(da, a.shape) : null, ctx.needs[1] && db ? sumToShape(db, b.shape) : null];
  });
}

registerGrad('where', ({ x: [cond, a, b], dy: [dy], needs }) => {
  if (!dy) return [null, null, null];
  return [null, needs[1] ? sumToShape(cond.where(dy, 0), a.shape) : null, needs[2] ? sumToShape(cond.where(0, dy), b.shape) : null];
});

/** clip passes the gradient inside [lo, hi] (bounds included, as PyTorch does) to x, outside to the bound. */
registerGrad('clip', ({ x: [x, lo, hi], dy: [dy], needs }) => {
  if (!dy) return [null, null, null];
  const below = x.less(lo);
  const above = x.greater(hi);
  return [
    needs[0] ? sumToShape(below.or(above).where(0, dy), x.shape) : null,
    needs[1] ? sumToShape(below.where(dy, 0), lo.shape) : null,
    needs[2] ? sumToShape(above.where(dy, 0), hi.shape) : null,
  ];
});
