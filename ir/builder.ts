import type { DType } from './dtype.js';
import type { Attrs, Value } from './graph.js';
import { Graph, Node } from './graph.js';
import './ops/index.js';
import { inferOp } from './registry.js';
import type { Shape } from './shape.js';
import type { HostTensor } from './tensor.js';

/** Builds a graph op by op, inferring each output's type as it goes (errors name the node). */
export class GraphBuilder {
  readonly graph: Graph;
  #names = new Map<string, number>();

  constructor(name = 'main') {
    this.graph = new Graph(name);
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    const v = this.graph.newValue({ dtype, shape: [...shape] }, name);
    this.graph.inputs.push(v);
    return v;
  }

  constant(tensor: HostTensor, name = ''): Value {
    const v = this.graph.newValue({ dtype: tensor.dtype, shape: [...tensor.shape] }, name);
    this.graph.constants.set(v, tensor);
    return v;
  }

  state(name: string, initial: HostTensor): Value {
    const v = this.graph.newValue({ dtype: initial.dtype, shape: [...initial.shape] }, name);
    this.graph.states.set(v, initial);
    return v;
  }

  /** Makes `next` replace `state` at the end of every run. */
  updateState(state: Value, next: Value): void {
    this.graph.stateUpdates.set(state, next);
  }

  output(v: Value, name?: string): Value {
    if (name !== undefined) v.name = name;
    this.graph.outputs.push(v);
    return v;
  }

  /** Applies an op; returns all its outputs. */
  apply(op: string, inputs: readonly Value[], attrs: Attrs = {}, name?: string): Value[] {
    const nodeName = name ?? this.#uniqueName(op);
    const where = `${op} '${nodeName}'`;
    const { attrs: checked, outputs } = inferOp(op, inputs.map((v) => v.type), attrs, where);
    const node = new Node(this.graph.newNodeId(), op, [...inputs], [], checked, nodeName);
    node.outputs = outputs.map((t, i) => {
      const v = this.graph.newValue(t, outputs.length === 1 ? nodeName : `${nodeName}:${i}`);
      v.producer = node;
      return v;
    });
    this.graph.nodes.push(node);
    return node.outputs;
  }

  /** Applies a single-output op. */
  op(op: string, inputs: readonly Value[], attrs: Attrs = {}, name?: string): Value {
    return this.apply(op, inputs, attrs, name)[0];
  }

  #uniqueName(op: string): string {
    const n = this.#names.get(op) ?? 0;
    this.#names.set(op, n + 1);
    return `${op}_${n}`;
  }
}
