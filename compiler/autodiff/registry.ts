import type { AttrValue, Node } from '../../ir/index.js';
import type { Tensor } from '../dsl/tensor.js';
import type { Trace } from '../dsl/trace.js';

/**
 * Gradient rules, one per differentiable op, keyed by op name. A rule receives the forward
 * node's inputs and outputs and the gradients flowing into its outputs, and returns the
 * gradient of each input (null where none flows: integer inputs, inputs that do not need one).
 * Rules write ordinary IR ops through the DSL, so backward graphs compile like forward ones.
 */
export interface GradContext {
  readonly trace: Trace;
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

const rules = new Map<string, GradRule>();

export function registerGrad(op: string, rule: GradRule): void {
  if (rules.has(op)) throw new Error(`gradient rule for '${op}' registered twice`);
  rules.set(op, rule);
}

export function hasGrad(op: string): boolean {
  return rules.has(op);
}

export function getGrad(op: string): GradRule | undefined {
  return rules.get(op);
}

export function gradOps(): string[] {
  return [...rules.keys()];
}
