import type { DType, Node, StaticShape } from '../../ir/index.js';
import { UnsupportedOpError } from '../../ir/index.js';
import type { KernelBuilder, TensorAccess } from './kernel_builder.js';

export interface LowerContext {
  readonly b: KernelBuilder;
  readonly node: Node;
  readonly inputs: readonly TensorAccess[];
  readonly outputs: readonly { readonly dtype: DType; readonly shape: StaticShape }[];
  /** "op 'name'" for error messages. */
  readonly where: string;
}

/**
 * How an op becomes WGSL: a function from its inputs' accesses to its outputs' accesses.
 * Lowerings emit statements through the builder only when they must (loops of reductions);
 * elementwise and layout ops are pure index/expression rewriting.
 */
export type Lowering = (ctx: LowerContext) => TensorAccess[];

const lowerings = new Map<string, Lowering>();

export function registerLowering(op: string, lowering: Lowering): void {
  if (lowerings.has(op)) throw new Error(`WGSL lowering for '${op}' registered twice`);
  lowerings.set(op, lowering);
}

export function hasLowering(op: string): boolean {
  return lowerings.has(op);
}

export function getLowering(op: string, where: string): Lowering {
  const l = lowerings.get(op);
  if (!l) throw new UnsupportedOpError(`${where}: no WGSL kernel for op '${op}'`);
  return l;
}
