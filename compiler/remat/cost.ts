import type { Node, StaticShape, Value } from '../../ir/index.js';
import { numel } from '../../ir/index.js';
import type { KernelGroup } from '../../targets/wgsl/codegen.js';

/**
 * What recomputing a kernel costs, in floating-point operations: the planner ranks candidates by
 * bytes saved per FLOP recomputed. Contractions count their multiply-adds (two FLOPs each); every
 * other op counts one per element it reads or writes, whichever is more (an elementwise op per
 * output element, a reduction per input element). Estimates, but of the right order: a ReLU is
 * thousands of times cheaper than the convolution before it.
 */

const elements = (v: Value): number => numel(v.type.shape as StaticShape);

export function nodeFlops(node: Node): number {
  const [x, w] = node.inputs;
  const out = node.outputs[0];
  switch (node.op) {
    case 'matmul': {
      const k = x.type.shape[x.type.shape.length - 1] as number;
      return 2 * elements(out) * k;
    }
    case 'conv': {
      // Each output element sums over the weight's (channels per group × window) taps.
      const taps = numel(w.type.shape.slice(1) as StaticShape);
      return 2 * elements(out) * taps;
    }
    case 'convTranspose': {
      const taps = numel(w.type.shape.slice(1) as StaticShape);
      return 2 * elements(x) * taps;
    }
    default:
      return Math.max(...node.outputs.map(elements), ...node.inputs.map(elements), 1);
  }
}

/** The FLOPs of one kernel: the sum over its fused nodes. */
export function groupFlops(group: KernelGroup): number {
  return group.nodes.reduce((sum, n) => sum + nodeFlops(n), 0);
}
