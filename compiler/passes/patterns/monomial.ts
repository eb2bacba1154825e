import type { Value } from '../../../ir/index.js';
import { splatValue } from '../match.js';
import type { RewriteContext } from '../rewrite.js';

/**
 * Exporters spell one formula many ways: `x * 0.5 * y`, `0.5 * (x * y)`, `x / 2 * y`,
 * `(x*y) * 0.5`. Reading a float expression as a sum of monomials — a constant coefficient times
 * a product of factors — makes all of them compare equal, so a pattern is matched once.
 */
export interface Monomial {
  readonly coef: number;
  /** Non-constant factors, with repetition (x³ is [x, x, x]); order is not meaningful. */
  readonly factors: readonly Value[];
}

const MAX_DEPTH = 8;

/** `v` as coef × Π factors, through mul, neg, division by a constant and small integer powers. */
export function monomial(ctx: RewriteContext, v: Value, depth = MAX_DEPTH): Monomial {
  const splat = splatValue(ctx, v);
  if (splat !== undefined) return { coef: splat, factors: [] };
  const p = v.producer;
  if (p && depth > 0) {
    const [a, b] = p.inputs;
    switch (p.op) {
      case 'mul': {
        const ma = monomial(ctx, a, depth - 1);
        const mb = monomial(ctx, b, depth - 1);
        return { coef: ma.coef * mb.coef, factors: [...ma.factors, ...mb.factors] };
      }
      case 'neg': {
        const m = monomial(ctx, a, depth - 1);
        return { coef: -m.coef, factors: m.factors };
      }
      case 'div': {
        const divisor = splatValue(ctx, b);
        if (divisor === undefined || divisor === 0) break;
        const m = monomial(ctx, a, depth - 1);
        return { coef: m.coef / divisor, factors: m.factors };
      }
      case 'pow': {
        const exponent = splatValue(ctx, b);
        if (exponent === undefined || !Number.isInteger(exponent) || exponent < 1 || exponent > 4) break;
        const m = monomial(ctx, a, depth - 1);
        return { coef: m.coef ** exponent, factors: Array.from({ length: exponent }, () => m.factors).flat() };
      }
    }
  }
  return { coef: 1, factors: [v] };
}

/** `v` as a sum of monomials, through add, sub, and one sum factor of a product (c·(a + b)). */
export function polynomial(ctx: RewriteContext, v: Value, depth = 3): Monomial[] {
  const p = v.producer;
  if (p && depth > 0 && p.op === 'add') return [...polynomial(ctx, p.inputs[0], depth - 1), ...polynomial(ctx, p.inputs[1], depth - 1)];
  if (p && depth > 0 && p.op === 'sub') {
    const negated = polynomial(ctx, p.inputs[1], depth - 1).map((m) => ({ coef: -m.coef, factors: m.factors }));
    return [...polynomial(ctx, p.inputs[0], depth - 1), ...negated];
  }
  const m = monomial(ctx, v);
  const sums = m.factors.filter((f) => f.producer?.op === 'add' || f.producer?.op === 'sub');
  if (sums.length !== 1 || depth === 0) return [m];
  const rest = m.factors.filter((f) => f !== sums[0]);
  return polynomial(ctx, sums[0], depth - 1).map((t) => ({ coef: t.coef * m.coef, factors: [...t.factors, ...rest] }));
}
