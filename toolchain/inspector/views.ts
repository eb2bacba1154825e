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
