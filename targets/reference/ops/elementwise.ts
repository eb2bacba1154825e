import type { Attrs, BINARY_OPS, DType, HostTensor, UNARY_OPS } from '../../../ir/index.js';
import { numel } from '../../../ir/index.js';
import { broadcastIndex } from '../broadcast.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';

type Scalar = (args: number[], attrs: Attrs, dtype: DType) => number;

/** erf to double precision (Numerical Recipes' erfc with Chebyshev fit, |error| < 1.2e-7 relative... refined by series near 0). */
export function erf(x: number): number {
  // Series for small |x| (exact to double), continued fraction via erfc otherwise.
  const a = Math.abs(x);
  if (a < 2.5) {
    let sum = x;
    let term = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) by Lentz's continued fraction.
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = a + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = a + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** Round half to even, like WGSL round() and ONNX Round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const isInt = (t: DType) => t === 'i32' || t === 'u32';
const softplus = (a: number) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
const num = (attrs: Attrs, k: string) => attrs[k] as number;

function intPow(a: number, b: number, dtype: DType): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 ? -1 : 1) : 0;
  let r = 1;
  for (let i = 0; i < b && i < 64; i++) r = dtype === 'u32' ? Math.imul(r, a) >>> 0 : Math.imul(r, a);
  return r;
}

function floatPow(a: number, b: number): number {
  if (b === 0) return 1;
  return Math.pow(a, b);
}

const UNARY: Record<keyof typeof UNARY_OPS, Scalar> = {
  neg: ([a]) => -a,
  abs: ([a]) => Math.abs(a),
  exp: ([a]) => Math.exp(a),
  log: ([a]) => Math.log(a),
  sqrt: ([a]) => Math.sqrt(a),
  rsqrt: ([a]) => 1 / Math.sqrt(a),
  reciprocal: ([a]) => 1 / a,
  sin: ([a]) => Math.sin(a),
  cos: ([a]) => Math.cos(a),
  tan: ([a]) => Math.tan(a),
  asin: ([a]) => Math.asin(a),
  acos: ([a]) => Math.acos(a),
  atan: ([a]) => Math.atan(a),
  sinh: ([a]) => Math.sinh(a),
  cosh: ([a]) => Math.cosh(a),
  asinh: ([a]) => Math.asinh(a),
  acosh: ([a]) => Math.acosh(a),
  atanh: ([a]) => Math.atanh(a),
  tanh: ([a]) => Math.tanh(a),
  sigmoid: ([a]) => 1 / (1 + Math.exp(-a)),
  relu: ([a]) => Math.max(a, 0),
  leakyRelu: ([a], at) => (a >= 0 ? a : a * num(at, 'alpha')),
  elu: ([a], at) => (a > 0 ? a : num(at, 'alpha') * Math.expm1(a)),
  selu: ([a], at) => num(at, 'gamma') * (a > 0 ? a : num(at, 'alpha') * Math.expm1(a)),
  celu: ([a], at) => Math.max(a, 0) + Math.min(0, num(at, 'alpha') * Math.expm1(a / num(at, 'alpha'))),
  gelu: ([a], at) =>
    at.approximate === 'tanh'
      ? 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a ** 3)))
      : 0.5 * a * (1 + erf(a / Math.SQRT2)),
  softplus: ([a]) => softplus(a),
  softsign: ([a]) => a / (1 + Math.abs(a)),
  mish: ([a]) => a * Math.tanh(softplus(a)),
  hardSigmoid: ([a], at) => Math.min(1, Math.max(0, num(at, 'alpha') * a + num(at, 'beta'))),
  hardSwish: ([a]) => a * Math.min(1, Math.max(0, a / 6 + 0.5)),
  thresholdedRelu: ([a], at) => (a > num(at, 'alpha') ? a : 0),
  erf: ([a]) => erf(a),
  floor: ([a]) => Math.floor(a),
  ceil: ([a]) => Math.ceil(a),
  round: ([a]) => roundHalfEven(a),
  sign: ([a]) => Math.sign(a),
  not: ([a]) => (a ? 0 : 1),
  bitwiseNot: ([a], _at, t) => (t === 'u32' ? ~a >>> 0 : ~a),
  isNaN: ([a]) => (Number.isNaN(a) ? 1 : 0),
  isInf: ([a], at) => ((a === Infinity && at.detectPositive) || (a === -Infinity && at.detectNegative) ? 1 : 0),
};

function mod(a: number, b: number, fmod: boolean, dtype: DType): number {
  if (isInt(dtype)) {
    if (b === 0) return a;
    const r = a % b;
    return !fmod && r !== 0 && r < 0 !== b < 0 ? r + b : r;
  }
  const r = a % b;
  return !fmod && r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

const BINARY: Record<keyof typeof BINARY_OPS, Scalar> = {
  add: ([a, b]) => a + b,
  sub: ([a, b]) => a - b,
  mul: ([a, b], _at, t) => (t === 'i32' ? Math.imul(a, b) : t === 'u32' ? Math.imul(a, b) >>> 0 : a * b),
  div: ([a, b], _at, t) => (isInt(t) ? (b === 0 ? a : Math.trunc(a / b)) : a / b),
  pow: ([a, b], _at, t) => (isInt(t) ? intPow(a, b, t) : floatPow(a, b)),
  max: ([a, b]) => Math.max(a, b),
  min: ([a, b]) => Math.min(a, b),
  mod: ([a, b], at, t) => mod(a, b, at.fmod as boolean, t),
  prelu: ([a, b]) => (a >= 0 ? a : a * b),
  atan2: ([a, b]) => Math.atan2(a, b),
  equal: ([a, b]) => (a === b ? 1 : 0),
  notEqual: ([a, b]) => (a !== b ? 1 : 0),
  less: ([a, b]) => (a < b ? 1 : 0),
  lessEqual: ([a, b]) => (a <= b ? 1 : 0),
  greater: ([a, b]) => (a > b ? 1 : 0),
  greaterEqual: ([a, b]) => (a >= b ? 1 : 0),
  and: ([a, b]) => (a && b ? 1 : 0),
  or: ([a, b]) => (a || b ? 1 : 0),
  xor: ([a, b]) => (!a !== !b ? 1 : 0),
  bitwiseAnd: ([a, b], _at, t) => (t === 'u32' ? (a & b) >>> 0 : a & b),
  bitwiseOr: ([a, b], _at, t) => (t === 'u32' ? (a | b) >>> 0 : a | b),
  bitwiseXor: ([a, b], _at, t) => (t === 'u32' ? (a ^ b) >>> 0 : a ^ b),
  shiftLeft: ([a, b], _at, t) => (b >>> 0 >= 32 ? 0 : t === 'u32' ? (a << b) >>> 0 : a << b),
  shiftRight: ([a, b], _at, t) => (b >>> 0 >= 32 ? 0 : t === 'u32' ? a >>> b : a >> b),
};

/** Elementwise application with broadcasting; the result is converted to the output dtype later. */
function registerElementwise(op: string, scalar: Scalar): void {
  registerRef(op, (inputs: readonly HostTensor[], { node, outputs }) => {
    const out = outputs[0];
    const n = numel(out.shape);
    const data = scratch(out.dtype, n);
    const index = inputs.map((t) => broadcastIndex(t.shape, out.shape));
    const argType = inputs[inputs.length - 1].dtype;
    const args = new Array<number>(inputs.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < inputs.length; k++) args[k] = inputs[k].data[index[k][i]];
      data[i] = scalar(args, node.attrs, argType);
    }
    return [{ dtype: out.dtype, shape: out.shape, data }];
  });
}

for (const [op, scalar] of Object.entries(UNARY)) registerElementwise(op, scalar);
for (const [op, scalar] of Object.entries(BINARY)) registerElementwise(op, scalar);
registerElementwise('where', ([c, a, b]) => (c ? a : b));
registerElementwise('clip', ([x, lo, hi]) => Math.min(Math.max(x, lo), hi));
registerElementwise('identity', ([a]) => a);
registerElementwise('cast', ([a], at, from) => {
  const to = at.to as DType;
  if (to === 'bool') return a !== 0 ? 1 : 0;
  if ((to === 'i32' || to === 'u32') && (from === 'f32' || from === 'f16')) {
    // WGSL float→int conversion clamps and maps NaN to 0.
    if (Number.isNaN(a)) return 0;
    const lo = to === 'i32' ? -2147483648 : 0;
    const hi = to === 'i32' ? 2147483520 : 4294967040;
    return Math.trunc(Math.min(Math.max(a, lo), hi));
  }
  return a;
});
