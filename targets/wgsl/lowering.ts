import type { DType, Node, Shape } from '../../ir/index.js';
import { Registry, UnsupportedOpError } from '../../ir/index.js';
import type { KernelBuilder, TensorAccess } from './kernel_builder.js';

export interface LowerContext {
  readonly b: KernelBuilder;
  readonly node: Node;
  readonly inputs: readonly TensorAccess[];
  readonly outputs: readonly { readonly dtype: DType; readonly shape: Shape }[];
  /** "op 'name'" for error messages. */
  readonly where: string;
}

/**
 * How an op becomes WGSL: a function from its inputs' accesses to its outputs' accesses.
 * Lowerings emit statements through the builder only when they must (loops of reductions);
 * elementwise and layout ops are pure index/expression rewriting.
 */
export type Lowering = (ctx: LowerContext) => TensorAccess[];

/** Every op's WGSL lowering, by op name (one file per op family under ops/ registers them). */
export const wgslLowerings = new Registry<Lowering>('WGSL lowering', (op, where) => new UnsupportedOpError(`${where}: no WGSL kernel for op '${op}'`));

export function registerLowering(op: string, lowering: Lowering): void {
  wgslLowerings.register(op, lowering);
}

export function hasLowering(op: string): boolean {
  return wgslLowerings.has(op);
}

export function getLowering(op: string, where: string): Lowering {
  return wgslLowerings.get(op, where);
}
