import type { DType, HostTensor, Node, StaticShape } from '../../ir/index.js';
import { Registry, UnsupportedOpError } from '../../ir/index.js';

export interface RefContext {
  readonly node: Node;
  /** Concrete output types, already inferred. */
  readonly outputs: readonly { readonly dtype: DType; readonly shape: StaticShape }[];
  /** Float tensors are Float64Array in f64 mode (finite-difference gradient checks). */
  readonly f64: boolean;
  readonly where: string;
}

/**
 * A reference kernel: plain TypeScript over typed arrays, written for obviousness, not speed.
 * It returns outputs whose data the interpreter then stores in each dtype's host array.
 */
export type RefKernel = (inputs: readonly HostTensor[], ctx: RefContext) => HostTensor[];

/** Every op's reference kernel, by op name (one file per op family under ops/ registers them). */
export const referenceKernels = new Registry<RefKernel>('reference kernel', (op, where) => new UnsupportedOpError(`${where}: no reference kernel for op '${op}'`));

export function registerRef(op: string, kernel: RefKernel): void {
  referenceKernels.register(op, kernel);
}

export function hasRef(op: string): boolean {
  return referenceKernels.has(op);
}

export function getRef(op: string, where: string): RefKernel {
  return referenceKernels.get(op, where);
}
