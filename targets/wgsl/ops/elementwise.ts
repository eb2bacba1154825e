import type { DType } from '../../../ir/index.js';
import type { BINARY_OPS, UNARY_OPS } from '../../../ir/index.js';
import { derivedAccess, readBroadcast } from '../access.js';
import type { Expr } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';
import type { LowerContext } from '../lowering.js';
import { registerLowering } from '../lowering.js';
import { ERF, POW_F32, POW_I32, SAFE_TANH } from './math_helpers.js';

type Attrs = LowerContext['node']['attrs'];
type Scalar = (b: KernelBuilder, args: Expr[], attrs: Attrs, out: DType) => string;

const f = (v: number, t: Expr['type'] = 'f32') => literal(v, t).code;
const num = (attrs: Attrs, key: string) => attrs[key] as number;

/** WGSL for each elementwise op, as an expression over already-evaluated arguments. */
const UNARY: Record<keyof typeof UNARY_OPS, Scalar> = {
  neg: (_b, [a]) => `-${a.code}`,
  abs: (_b, [a]) => `abs(${a.code})`,
  exp: (_b, [a]) => `exp(${a.code})`,
  log: (_b, [a]) => `log(${a.code})`,
  sqrt: (_b, [a]) => `sqrt(${a.code})`,
  rsqrt: (_b, [a]) => `inverseSqrt(${a.code})`,
  reciprocal: (_b, [a]) => `(1.0f / ${a.code})`,
  sin: (_b, [a]) => `sin(${a.code})`,
  cos: (_b, [a]) => `cos(${a.code})`,
  tan: (_b, [a]) => `tan(${a.code})`,
  // Through atan2: some drivers' asin/acos lose 1e-4 near ±1.
  asin: (_b, [a]) => `atan2(${a.code}, sqrt((1.0f - ${a.code}) * (1.0f + ${a.code})))`,
  acos: (_b, [a]) => `atan2(sqrt((1.0f - ${a.code}) * (1.0f + ${a.code})), ${a.code})`,
  atan: (_b, [a]) => `atan(${a.code})`,
  sinh: (_b, [a]) => `sinh(${a.code})`,
  cosh: (_b, [a]) => `cosh(${a.code})`,
  asinh: (_b, [a]) => `asinh(${a.code})`,
  acosh: (_b, [a]) => `acosh(${a.code})`,
  atanh: (_b, [a]) => `atanh(${a.code})`,
  tanh: (b, [a]) => `${b.helper('safe_tanh', SAFE_TANH)}(${a.code})`,
  sigmoid: (_b, [a]) => `(1.0f / (1.0f + exp(-${a.code})))`,
  relu: (_b, [a]) => `max(${a.code}, ${literal(0, a.type).code})`,
  leakyRelu: (_b, [a], at) => `select(${a.code} * ${f(num(at, 'alpha'))}, ${a.code}, ${a.code} >= 0.0f)`,
  elu: (_b, [a], at) => `select(${f(num(at, 'alpha'))} * (exp(${a.code}) - 1.0f), ${a.code}, ${a.code} > 0.0f)`,
  selu: (_b, [a], at) => `${f(num(at, 'gamma'))} * select(${f(num(at, 'alpha'))} * (exp(${a.code}) - 1.0f), ${a.code}, ${a.code} > 0.0f)`,
  celu: (_b, [a], at) => `(max(${a.code}, 0.0f) + min(0.0f, ${f(num(at, 'alpha'))} * (exp(${a.code} / ${f(num(at, 'alpha'))}) - 1.0f)))`,
  gelu: (b, [a], at) =>
    at.approximate === 'tanh'
      ? `(0.5f * ${a.code} * (1.0f + ${b.helper('safe_tanh', SAFE_TANH)}(0.7978845608f * (${a.code} + 0.044715f * ${a.code} * ${a.code} * ${a.code}))))`
      : `(0.5f * ${a.code} * (1.0f + ${b.helper('erf_f32', ERF)}(${a.code} * 0.70710678118f)))`,
  softplus: (_b, [a]) => `(max(${a.code}, 0.0f) + log(1.0f + exp(-abs(${a.code}))))`,
  softsign: (_b, [a]) => `(${a.code} / (1.0f + abs(${a.code})))`,
  mish: (b, [a]) => `(${a.code} * ${b.helper('safe_tanh', SAFE_TANH)}(max(${a.code}, 0.0f) + log(1.0f + exp(-abs(${a.code})))))`,
  hardSigmoid: (_b, [a], at) => `clamp(${f(num(at, 'alpha'))} * ${a.code} + ${f(num(at, 'beta'))}, 0.0f, 1.0f)`,
  hardSwish: (_b, [a]) => `(${a.code} * clamp(${a.code} / 6.0f + 0.5f, 0.0f, 1.0f))`,
  thresholdedRelu: (_b, [a], at) => `select(0.0f, ${a.code}, ${a.code} > ${f(num(at, 'alpha'))})`,
  erf: (b, [a]) => `${b.helper('erf_f32', ERF)}(${a.code})`,
  floor: (_b, [a]) => `floor(${a.code})`,
  ceil: (_b, [a]) => `ceil(${a.code})`,
  round: (_b, [a]) => `round(${a.code})`,
  sign: (_b, [a]) => (a.type === 'u32' ? `select(0u, 1u, ${a.code} > 0u)` : `sign(${a.code})`),
  not: (_b, [a]) => `!${a.code}`,
  bitwiseNot: (_b, [a]) => `~${a.code}`,
  // Bit tests, not x != x: shader compilers may assume floats are never NaN.
  isNaN: (_b, [a]) => `((bitcast<u32>(${a.code}) & 0x7fffffffu) > 0x7f800000u)`,
  isInf: (_b, [a], at) => {
    const inf = `((bitcast<u32>(${a.code}) & 0x7fffffffu) == 0x7f800000u)`;
    const pos = at.detectPositive as boolean;
    const neg = at.detectNegative as boolean;
    if (pos && neg) return inf;
    if (!pos && !neg) return 'false';
    return `(${inf} && (${a.code} ${pos ? '>' : '<'} 0.0f))`;
  },
};

function intMod(a: Expr, b: Expr, fmod: boolean): string {
  if (fmod || a.type === 'u32') return `select(${a.code} % ${b.code}, ${a.code}, ${b.code} == ${literal(0, a.type).code})`;
  // Python semantics: the result takes the divisor's sign.
  const r = `(${a.code} % ${b.code})`;
  return `select(select(${r}, ${r} + ${b.code}, ${r} != 0i && ((${r} < 0i) != (${b.code} < 0i))), ${a.code}, ${b.code} == 0i)`;
}

const BINARY: Record<keyof typeof BINARY_OPS, Scalar> = {
  add: (_b, [a, c]) => `(${a.code} + ${c.code})`,
  sub: (_b, [a, c]) => `(${a.code} - ${c.code})`,
  mul: (_b, [a, c]) => `(${a.code} * ${c.code})`,
  // Integer division by zero yields the dividend in WGSL; the reference agrees.
  div: (_b, [a, c]) => (a.type === 'f32' || a.type === 'f16' ? `(${a.code} / ${c.code})` : `select(${a.code} / ${c.code}, ${a.code}, ${c.code} == ${literal(0, a.type).code})`),
  pow: (b, [a, c]) =>
    a.type === 'f32' || a.type === 'f16' ? `${b.helper('pow_f32', POW_F32)}(${a.code}, ${c.code})` : `${b.helper(`pow_${a.type}`, POW_I32(a.type))}(${a.code}, ${c.code})`,
  max: (_b, [a, c]) => `max(${a.code}, ${c.code})`,
  min: (_b, [a, c]) => `min(${a.code}, ${c.code})`,
  mod: (_b, [a, c], at) =>
    a.type === 'f32' || a.type === 'f16'
      ? at.fmod
        ? `(${a.code} - ${c.code} * trunc(${a.code} / ${c.code}))`
        : `(${a.code} - ${c.code} * floor(${a.code} / ${c.code}))`
      : intMod(a, c, at.fmod as boolean),
  prelu: (_b, [a, c]) => `select(${a.code} * ${c.code}, ${a.code}, ${a.code} >= 0.0f)`,
  atan2: (_b, [a, c]) => `atan2(${a.code}, ${c.code})`,
  equal: (_b, [a, c]) => `(${a.code} == ${c.code})`,
  notEqual: (_b, [a, c]) => `(${a.code} != ${c.code})`,
  less: (_b, [a, c]) => `(${a.code} < ${c.code})`,
  lessEqual: (_b, [a, c]) => `(${a.code} <= ${c.code})`,
  greater: (_b, [a, c]) => `(${a.code} > ${c.code})`,
  greaterEqual: (_b, [a, c]) => `(${a.code} >= ${c.code})`,
  and: (_b, [a, c]) => `(${a.code} && ${c.code})`,
  or: (_b, [a, c]) => `(${a.code} || ${c.code})`,
  xor: (_b, [a, c]) => `(${a.code} != ${c.code})`,
  bitwiseAnd: (_b, [a, c]) => `(${a.code} & ${c.code})`,
  bitwiseOr: (_b, [a, c]) => `(${a.code} | ${c.code})`,
  bitwiseXor: (_b, [a, c]) => `(${a.code} ^ ${c.code})`,
  shiftLeft: (_b, [a, c]) => `select(${literal(0, a.type).code}, ${a.code} << u32(${c.code}), u32(${c.code}) < 32u)`,
  shiftRight: (_b, [a, c]) => `select(${literal(0, a.type).code}, ${a.code} >> u32(${c.code}), u32(${c.code}) < 32u)`,
};

/** An elementwise op: out(coords) = scalar(inputs broadcast to coords). */
function registerElementwise(op: string, scalar: Scalar): void {
  registerLowering(op, ({ b, node, inputs, outputs }) => {
    const [out] = outputs;
    return [
      derivedAccess(b, out.dtype, out.shape, (coords) => {
        const args = inputs.map((x) => readBroadcast(x, coords));
        return expr(scalar(b, args, node.attrs, out.dtype), out.dtype);
      }),
    ];
  });
}

for (const [op, scalar] of Object.entries(UNARY)) registerElementwise(op, scalar);
for (const [op, scalar] of Object.entries(BINARY)) registerElementwise(op, scalar);
registerElementwise('where', (_b, [c, a, e]) => `select(${e.code}, ${a.code}, ${c.code})`);
registerElementwise('clip', (_b, [x, lo, hi]) => `min(max(${x.code}, ${lo.code}), ${hi.code})`);
registerElementwise('identity', (_b, [a]) => a.code);
registerElementwise('cast', (_b, [a], _attrs, out) => convert(a, out).code);
