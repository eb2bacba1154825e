import type { AttrValue, Node } from '../../ir/index.js';
import { Registry, UnsupportedOpError } from '../../ir/index.js';
import type { Tensor, TensorTrace } from '../dsl/tensor.js';

/**
 * Gradient rules, one per differentiable op, keyed by op name. A rule receives the forward
 * node's inputs and outputs and the gradients flowing into its outputs, and returns the
 * gradient of each input (null where none flows: integer inputs, inputs that do not need one).
 * Rules write ordinary IR ops through the DSL, so backward graphs compile like forward ones.
 */
export interface GradContext {
  readonly trace: TensorTrace;
  readonly node: Node;
  /** The forward inputs. */
  readonly x: readonly Tensor[];
  /** The forward outputs. */
  readonly y: readonly Tensor[];
  /** Gradients of the outputs; null where no gradient flows into that output. */
  readonly dy: readonly (Tensor | null)[];
  /** Whether input i needs a gradient (a rule may skip work for the others). */
  readonly needs: readonly boolean[];
  attr<T extends AttrValue>(name: string): T;
}

export type GradRule = (ctx: GradContext) => readonly (Tensor | null | undefined)[];

/** Gradient rules by op name (rules/ registers one per differentiable op). */
export const gradientRules = new Registry<GradRule>('gradient rule', (op, where) => new UnsupportedOpError(`${where}: op '${op}' has no gradient rule`));

const PIECEWISE_CONSTANT = 'piecewise constant: its derivative is zero wherever it exists';
const BOOL_RESULT = 'a test with a bool result: nothing to differentiate';
const BOOL_LOGIC = 'logic on bools';
const INTEGER_BITS = 'bit operations on integers';
const INDICES = 'its result is integer indices';
const NO_TENSOR_INPUT = 'its result depends on attributes only, not on any input';
const RANDOM = 'a random draw: its only input is the integer key';

/**
 * Ops through which no gradient flows, each with the reason. An op of the IR registry is either
 * here or has a gradient rule (test/structure/op_completeness.test.ts checks both ways);
 * `gradients()` passes over these and fails on any other op without a rule.
 */
export const NO_GRADIENT: Readonly<Record<string, string>> = {
  floor: PIECEWISE_CONSTANT,
  ceil: PIECEWISE_CONSTANT,
  round: PIECEWISE_CONSTANT,
  sign: PIECEWISE_CONSTANT,
  hardmax: `${PIECEWISE_CONSTANT} (a one-hot of the arg max)`,
  not: BOOL_LOGIC,
  and: BOOL_LOGIC,
  or: BOOL_LOGIC,
  xor: BOOL_LOGIC,
  isNaN: BOOL_RESULT,
  isInf: BOOL_RESULT,
  equal: BOOL_RESULT,
  notEqual: BOOL_RESULT,
  less: BOOL_RESULT,
  lessEqual: BOOL_RESULT,
  greater: BOOL_RESULT,
  greaterEqual: BOOL_RESULT,
  bitwiseNot: INTEGER_BITS,
  bitwiseAnd: INTEGER_BITS,
  bitwiseOr: INTEGER_BITS,
  bitwiseXor: INTEGER_BITS,
  shiftLeft: INTEGER_BITS,
  shiftRight: INTEGER_BITS,
  argMax: INDICES,
  argMin: INDICES,
  oneHot: 'its input is integer indices; on and off values are attributes',
  range: NO_TENSOR_INPUT,
  fill: NO_TENSOR_INPUT,
  randomBits: RANDOM,
  randomUniform: RANDOM,
};

export function registerGrad(op: string, rule: GradRule): void {
  gradientRules.register(op, rule);
}

export function hasGrad(op: string): boolean {
  return gradientRules.has(op);
}

/** The op's rule, or undefined where it has none. */
export function getGrad(op: string): GradRule | undefined {
  return gradientRules.find(op);
}

export function gradOps(): string[] {
  return gradientRules.names();
}

/** Whether no gradient flows through the op by its nature (see NO_GRADIENT). */
export function hasNoGradient(op: string): boolean {
  return Object.hasOwn(NO_GRADIENT, op);
}
