import type { Value } from '../../../ir/index.js';
import { isFloat } from '../../../ir/index.js';
import { hasShape, near, producedBy, sameValue } from '../match.js';
import type { RewriteContext } from '../rewrite.js';
import type { Monomial } from './monomial.js';
import { monomial, polynomial } from './monomial.js';

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const TANH_CUBIC = 0.044715;

/**
 * GELU as exporters decompose it, in any association and constant placement:
 *   erf form:  x · 0.5 · (1 + erf(x / √2))         → gelu(x)
 *   tanh form: 0.5 · x · (1 + tanh(√(2/π)·(x + 0.044715·x³)))  → gelu(x) {approximate: 'tanh'}
 * (x·(0.5 + 0.5·erf(…)) and erf(x · 0.7071…) included). `v` is a product; the result is the
 * gelu's output, or undefined.
 */
export function matchGelu(ctx: RewriteContext, v: Value): Value[] | undefined {
  if (!isFloat(v.type.dtype)) return undefined;
  const outer = monomial(ctx, v);
  if (outer.factors.length !== 2) return undefined;
  for (const [x, sum] of [outer.factors, [...outer.factors].reverse()]) {
    const terms = polynomial(ctx, sum);
    if (terms.length !== 2) continue;
    const constant = terms.find((t) => t.factors.length === 0);
    const other = terms.find((t) => t.factors.length === 1);
    if (!constant || !other || !near(outer.coef * constant.coef, 0.5) || !near(outer.coef * other.coef, 0.5)) continue;
    const inner = other.factors[0];
    const approximate = gelu(ctx, inner, x);
    if (approximate === undefined || !hasShape(x, v.type.shape)) continue;
    return ctx.emit('gelu', [x], { approximate }, v.producer!.name);
  }
  return undefined;
}

/** 'none' when `inner` is erf(x/√2), 'tanh' when it is tanh(√(2/π)(x + 0.044715x³)). */
function gelu(ctx: RewriteContext, inner: Value, x: Value): 'none' | 'tanh' | undefined {
  const erf = producedBy(inner, 'erf');
  if (erf) {
    const arg = monomial(ctx, erf.inputs[0]);
    return isPower(arg, x, 1) && near(arg.coef, SQRT1_2) ? 'none' : undefined;
  }
  const tanh = producedBy(inner, 'tanh');
  if (!tanh) return undefined;
  const terms = polynomial(ctx, tanh.inputs[0]);
  if (terms.length !== 2) return undefined;
  const linear = terms.find((t) => isPower(t, x, 1));
  const cubic = terms.find((t) => isPower(t, x, 3));
  const ok = linear && cubic && near(linear.coef, SQRT_2_OVER_PI) && near(cubic.coef, SQRT_2_OVER_PI * TANH_CUBIC);
  return ok ? 'tanh' : undefined;
}

function isPower(m: Monomial, x: Value, n: number): boolean {
  return m.factors.length === n && m.factors.every((f) => sameValue(f, x));
}
