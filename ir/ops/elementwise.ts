import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { AttrSpec } from '../registry.js';
import { registerOp } from '../registry.js';
import { broadcastShapes } from '../shape.js';
import type { TensorType } from '../tensor.js';

/**
 * Elementwise ops. Each is a scalar function applied per element (with numpy broadcasting for
 * the n-ary ones). The scalar semantics live beside each target: targets/reference and
 * targets/wgsl hold one table entry per op name listed here.
 */

type DTypeRule = 'float' | 'numeric' | 'signed' | 'int' | 'bool' | 'any';

function dtypeAllowed(rule: DTypeRule, d: DType): boolean {
  switch (rule) {
    case 'float':
      return isFloat(d);
    case 'numeric':
      return d !== 'bool';
    case 'signed':
      return d !== 'bool' && d !== 'u32';
    case 'int':
      return d === 'i32' || d === 'u32';
    case 'bool':
      return d === 'bool';
    case 'any':
      return true;
    default:
      return rule satisfies never;
  }
}

function checkDType(rule: DTypeRule, t: TensorType, where: string, role: string): void {
  if (!dtypeAllowed(rule, t.dtype)) throw new DTypeError(`${where}: ${role} has dtype ${t.dtype}, expected ${rule}`);
}

export const UNARY_OPS: Readonly<Record<string, { rule: DTypeRule; attrs?: Record<string, AttrSpec>; out?: DType }>> = {
  neg: { rule: 'signed' },
  abs: { rule: 'numeric' },
  exp: { rule: 'float' },
  log: { rule: 'float' },
  sqrt: { rule: 'float' },
  rsqrt: { rule: 'float' },
  reciprocal: { rule: 'float' },
  sin: { rule: 'float' },
  cos: { rule: 'float' },
  tan: { rule: 'float' },
  asin: { rule: 'float' },
  acos: { rule: 'float' },
  atan: { rule: 'float' },
  sinh: { rule: 'float' },
  cosh: { rule: 'float' },
  asinh: { rule: 'float' },
  acosh: { rule: 'float' },
  atanh: { rule: 'float' },
  tanh: { rule: 'float' },
  sigmoid: { rule: 'float' },
  relu: { rule: 'signed' },
  leakyRelu: { rule: 'float', attrs: { alpha: { kind: 'float', default: 0.01 } } },
  elu: { rule: 'float', attrs: { alpha: { kind: 'float', default: 1 } } },
  selu: { rule: 'float', attrs: { alpha: { kind: 'float', default: 1.6732632423543772 }, gamma: { kind: 'float', default: 1.0507009873554805 } } },
  celu: { rule: 'float', attrs: { alpha: { kind: 'float', default: 1 } } },
  gelu: { rule: 'float', attrs: { approximate: { kind: 'string', default: 'none' } } },
  softplus: { rule: 'float' },
  softsign: { rule: 'float' },
  mish: { rule: 'float' },
  hardSigmoid: { rule: 'float', attrs: { alpha: { kind: 'float', default: 0.2 }, beta: { kind: 'float', default: 0.5 } } },
  hardSwish: { rule: 'float' },
  thresholdedRelu: { rule: 'float', attrs: { alpha: { kind: 'float', default: 1 } } },
  erf: { rule: 'float' },
  floor: { rule: 'float' },
  ceil: { rule: 'float' },
  round: { rule: 'float' },
  sign: { rule: 'numeric' },
  not: { rule: 'bool' },
  bitwiseNot: { rule: 'int' },
  isNaN: { rule: 'float', out: 'bool' },
  isInf: { rule: 'float', out: 'bool', attrs: { detectPositive: { kind: 'bool', default: true }, detectNegative: { kind: 'bool', default: true } } },
};

export const BINARY_OPS: Readonly<Record<string, { rule: DTypeRule; attrs?: Record<string, AttrSpec>; out?: DType }>> = {
  add: { rule: 'numeric' },
  sub: { rule: 'numeric' },
  mul: { rule: 'numeric' },
  div: { rule: 'numeric' },
  pow: { rule: 'numeric' },
  max: { rule: 'numeric' },
  min: { rule: 'numeric' },
  /** fmod=false: the result takes the divisor's sign (Python %); true: the dividend's (C fmod). */
  mod: { rule: 'numeric', attrs: { fmod: { kind: 'bool', default: false } } },
  prelu: { rule: 'float' },
  atan2: { rule: 'float' },
  equal: { rule: 'any', out: 'bool' },
  notEqual: { rule: 'any', out: 'bool' },
  less: { rule: 'numeric', out: 'bool' },
  lessEqual: { rule: 'numeric', out: 'bool' },
  greater: { rule: 'numeric', out: 'bool' },
  greaterEqual: { rule: 'numeric', out: 'bool' },
  and: { rule: 'bool' },
  or: { rule: 'bool' },
  xor: { rule: 'bool' },
  bitwiseAnd: { rule: 'int' },
  bitwiseOr: { rule: 'int' },
  bitwiseXor: { rule: 'int' },
  shiftLeft: { rule: 'int' },
  shiftRight: { rule: 'int' },
};

for (const [name, spec] of Object.entries(UNARY_OPS)) {
  registerOp({
    name,
    category: 'elementwise',
    arity: [1, 1],
    attrs: spec.attrs ?? {},
    infer([x], _attrs, { where }) {
      checkDType(spec.rule, x, where, 'input');
      return [{ dtype: spec.out ?? x.dtype, shape: x.shape }];
    },
  });
}

for (const [name, spec] of Object.entries(BINARY_OPS)) {
  registerOp({
    name,
    category: 'broadcast',
    arity: [2, 2],
    attrs: spec.attrs ?? {},
    infer([a, b], _attrs, { where }) {
      checkDType(spec.rule, a, where, 'input 0');
      if (a.dtype !== b.dtype) throw new DTypeError(`${where}: inputs have dtypes ${a.dtype} and ${b.dtype}; they must match`);
      return [{ dtype: spec.out ?? a.dtype, shape: broadcastShapes([a.shape, b.shape], where) }];
    },
  });
}

/** where(cond, a, b): a where cond is true, else b; all three broadcast. */
registerOp({
  name: 'where',
  category: 'broadcast',
  arity: [3, 3],
  attrs: {},
  infer([c, a, b], _attrs, { where }) {
    if (c.dtype !== 'bool') throw new DTypeError(`${where}: condition has dtype ${c.dtype}, expected bool`);
    if (a.dtype !== b.dtype) throw new DTypeError(`${where}: branches have dtypes ${a.dtype} and ${b.dtype}; they must match`);
    return [{ dtype: a.dtype, shape: broadcastShapes([c.shape, a.shape, b.shape], where) }];
  },
});

/** clip(x, lo, hi) with scalar-or-broadcast bounds (ONNX Clip; absent bounds are ±inf constants). */
registerOp({
  name: 'clip',
  category: 'broadcast',
  arity: [3, 3],
  attrs: {},
  infer([x, lo, hi], _attrs, { where }) {
    checkDType('numeric', x, where, 'input');
    if (lo.dtype !== x.dtype || hi.dtype !== x.dtype) throw new DTypeError(`${where}: bounds must have dtype ${x.dtype}`);
    return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, lo.shape, hi.shape], where) }];
  },
});

/** cast(x, to): numeric conversion; float→int truncates toward zero, bool is x != 0. */
registerOp({
  name: 'cast',
  category: 'elementwise',
  arity: [1, 1],
  attrs: { to: { kind: 'dtype' } },
  infer([x], attrs) {
    return [{ dtype: attrs.to as DType, shape: x.shape }];
  },
});

/** identity: a copy (ONNX Identity; also materializes a graph output that is an input or constant). */
registerOp({
  name: 'identity',
  category: 'elementwise',
  arity: [1, 1],
  attrs: {},
  infer([x]) {
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});
