import type { DType, HostTensor, Node, StaticShape } from '../../ir/index.js';
import { UnsupportedOpError } from '../../ir/index.js';

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

const kernels = new Map<string, RefKernel>();

export function registerRef(op: string, kernel: RefKernel): void {
  if (kernels.has(op)) throw new Error(`reference kernel for '${op}' registered twice`);
  kernels.set(op, kernel);
}

export function hasRef(op: string): boolean {
  return kernels.has(op);
}

export function getRef(op: string, where: string): RefKernel {
  const k = kernels.get(op);
  if (!k) throw new UnsupportedOpError(`${where}: no reference kernel for op '${op}'`);
  return k;
}
