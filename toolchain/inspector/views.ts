import type { Graph, Node, Value } from '../../ir/index.js';
import { formatType } from '../../ir/index.js';

/**
 * The inspector's picture of a graph: plain data (it is embedded in the page as JSON), every
 * node with its op, name, inputs and output types.
 */

export interface TensorView {
  readonly name: string;
  /** e.g. "f32[16,32]" */
  readonly type: string;
}

export interface NodeView {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly TensorView[];
  /** The attributes, as `key=value` text. */
  readonly attrs: string;
}

export interface GraphView {
  readonly name: string;
  readonly inputs: readonly TensorView[];
  readonly outputs: readonly TensorView[];
  readonly constants: number;
  readonly states: number;
  readonly nodes: readonly NodeView[];
}

function valueName(v: Value): string {
  return v.name || `v${v.id}`;
}

function tensorView(v: Value): TensorView {
  return { name: valueName(v), type: formatType(v.type) };
}

function attrText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  if (value !== null && typeof value === 'object') return 'tensor';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function nodeView(n: Node): NodeView {
  return {
    name: n.name,
    op: n.op,
    inputs: n.inputs.map(valueName),
    outputs: n.outputs.map(tensorView),
    attrs: Object.entries(n.attrs)
      .map(([k, v]) => `${k}=${attrText(v)}`)
      .join(', '),
  };
}

export function graphView(graph: Graph): GraphView {
  return {
    name: graph.name,
    inputs: graph.inputs.map(tensorView),
    outputs: graph.outputs.map(tensorView),
    constants: graph.constants.size,
    states: graph.states.size,
    nodes: graph.nodes.map(nodeView),
  };
}

/** Multiply-adds ×2 of a contraction node (matmul, conv, convTranspose); 0 for anything else. */
export function nodeFlops(n: Node): number {
  const count = (shape: readonly (number | string)[]) => shape.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 1), 1);
  const out = n.outputs[0]?.type.shape ?? [];
  switch (n.op) {
    case 'matmul': {
      const a = n.inputs[0].type.shape;
      const k = a[a.length - 1];
      return 2 * count(out) * (typeof k === 'number' ? k : 1);
    }
    case 'conv':
      // Each output element: (input channels per group) × kernel taps multiply-adds.
      return 2 * count(out) * count(n.inputs[1].type.shape.slice(1));
    case 'convTranspose':
      // Each input element reaches (output channels per group) × kernel taps outputs.
      return 2 * count(n.inputs[0].type.shape) * count(n.inputs[1].type.shape.slice(1));
    default:
      return 0;
  }
}
