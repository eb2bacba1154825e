import type { Node, StaticShape, Value } from '../../ir/index.js';
import { numel } from '../../ir/index.js';
import type { KernelGroup } from '../../targets/wgsl/codegen.js';
import { contractionFlops } from '../lowering/flops.js';

/**
 * What recomputing a kernel costs, in floating-point operations: the planner ranks candidates by
 * bytes saved per FLOP recomputed. Contractions count their multiply-adds (two FLOPs each, as
 * profiles count them); every other op counts one per element it reads or writes, whichever is
 * more (an elementwise op per output element, a reduction per input element). Estimates, but of
 * the right order: a ReLU is thousands of times cheaper than the convolution before it.
 */

const elements = (v: Value): number => numel(v.type.shape as StaticShape);

export function nodeFlops(node: Node): number {
  return contractionFlops(node) ?? Math.max(...node.outputs.map(elements), ...node.inputs.map(elements), 1);
}

/** The FLOPs of one kernel: the sum over its fused nodes. */
export function groupFlops(group: KernelGroup): number {
  return group.nodes.reduce((sum, n) => sum + nodeFlops(n), 0);
}
