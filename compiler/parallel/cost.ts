import type { Node, Value } from '../../ir/index.js';
import { deviceBytesPerElement, isStaticShape, numel } from '../../ir/index.js';

/**
 * The placement pass's cost model: FLOPs and bytes touched per node, turned into an estimated
 * time by a device's compute rate and memory bandwidth. A first-order roofline, enough to
 * balance stages; the defaults are lavapipe on this project's 2-core machine (bench: FMA peak
 * and copy bandwidth), and a caller can give a real GPU's numbers.
 */
export interface CostModel {
  /** Sustained FLOP/s of contraction kernels. */
  readonly flopsPerSecond: number;
  /** Bytes/s between kernels and memory. */
  readonly bytesPerSecond: number;
}

export const DEFAULT_COST_MODEL: CostModel = { flopsPerSecond: 20e9, bytesPerSecond: 5e9 };

export interface NodeCost {
  readonly flops: number;
  readonly bytes: number;
}

const elements = (v: Value): number => {
  const shape = v.type.shape;
  return isStaticShape(shape) ? numel(shape) : 0;
};
const bytesOf = (v: Value): number => elements(v) * deviceBytesPerElement(v.type.dtype);

/** FLOPs: 2·M·N·K for matmul, 2 per multiply-add of a convolution or its gradients, one per output element for the rest. */
export function nodeCost(node: Node): NodeCost {
  const out = node.outputs[0];
  const bytes = [...node.inputs, ...node.outputs].reduce((s, v) => s + bytesOf(v), 0);
  let flops = node.outputs.reduce((s, v) => s + elements(v), 0);
  switch (node.op) {
    case 'matmul': {
      const a = node.inputs[0].type.shape;
      const k = a.length > 0 ? a[a.length - 1] : 1;
      flops = 2 * elements(out) * (typeof k === 'number' ? k : 1);
      break;
    }
    case 'conv':
    case 'convTranspose':
    case 'convGradInput':
    case 'convGradWeight': {
      // Every multiply-add pairs an element of x with one of w; per output element of a conv
      // that is (C_in / group) · taps = numel(w) / C_out.
      const w = node.inputs[1];
      const wShape = w.type.shape;
      const cOut = typeof wShape[0] === 'number' ? wShape[0] : 1;
      const perOutput = elements(w) / Math.max(1, cOut);
      const x = node.inputs[0];
      const work = node.op === 'conv' ? elements(out) * perOutput : Math.max(elements(out), elements(x)) * perOutput;
      flops = 2 * work;
      break;
    }
    default:
      flops = Math.max(flops, node.inputs.reduce((s, v) => Math.max(s, elements(v)), 0));
  }
  return { flops, bytes };
}

export function costMs(cost: NodeCost, model: CostModel): number {
  return 1000 * (cost.flops / model.flopsPerSecond + cost.bytes / model.bytesPerSecond);
}

export function sumCosts(costs: readonly NodeCost[]): NodeCost {
  return costs.reduce((a, c) => ({ flops: a.flops + c.flops, bytes: a.bytes + c.bytes }), { flops: 0, bytes: 0 });
}
