import type { Node, StaticShape } from '../../ir/index.js';
import { numel } from '../../ir/index.js';
import type { KernelGroup } from '../../targets/wgsl/kernel_types.js';

/**
 * The floating-point work of a kernel, counted on its anchor: two per multiply-add of the
 * contraction (the epilogue and prologues, elementwise, are left out: they are memory-bound
 * work a FLOP rate would misstate). Profiles divide it by a step's time: achieved GFLOP/s and
 * the share of the device's measured FMA peak. Undefined for kernels without a contraction
 * and where a size is symbolic.
 */
export function kernelFlops(group: KernelGroup): number | undefined {
  const anchor = group.anchor;
  if (!anchor) return undefined;
  const shapes = [...anchor.inputs, ...anchor.outputs].map((v) => v.type.shape);
  if (!shapes.every((s) => s.every((d) => typeof d === 'number'))) return undefined;
  const flops = contractionFlops(anchor);
  return flops !== undefined && flops > 0 ? flops : undefined;
}

/**
 * Two per multiply-add of a contraction node, its shapes static; undefined for any other op.
 * The one count of contraction work: profiles (per kernel, above) and the recomputation
 * planner's cost (compiler/remat) both use it.
 */
export function contractionFlops(node: Node): number | undefined {
  const shape = (i: number) => node.inputs[i].type.shape as StaticShape;
  const out = node.outputs[0].type.shape as StaticShape;
  switch (node.op) {
    case 'matmul': {
      const a = shape(0);
      return 2 * numel(out) * a[a.length - 1];
    }
    case 'conv': {
      // Each output element: (input channels per group) × taps multiply-adds.
      const w = shape(1);
      return 2 * numel(out) * numel(w.slice(1));
    }
    case 'convTranspose': {
      // Each input element reaches (output channels per group) × taps outputs.
      const w = shape(1);
      return 2 * numel(shape(0)) * numel(w.slice(1));
    }
    case 'convGradInput': {
      // The same multiply-adds as the forward conv: each of dy's elements meets C/g × taps weights.
      const w = shape(1);
      return 2 * numel(shape(0)) * numel(w.slice(1));
    }
    case 'convGradWeight': {
      // Each weight sums over the batch's output pixels.
      const dy = shape(1);
      return 2 * numel(out) * dy[0] * numel(dy.slice(2));
    }
    case 'attention': {
      const q = shape(0);
      const k = shape(1);
      const v = shape(2);
      const rows = numel(q.slice(0, -1));
      return 2 * rows * k[k.length - 1] * (q[q.length - 1] + v[v.length - 1]);
    }
    default:
      return undefined;
  }
}
