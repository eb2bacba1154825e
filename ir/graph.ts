import type { Dim } from './shape.js';
import type { HostTensor, TensorType } from './tensor.js';
import { formatType } from './tensor.js';

export type AttrValue = number | boolean | string | readonly number[] | readonly string[] | readonly Dim[] | HostTensor;
export type Attrs = Readonly<Record<string, AttrValue>>;

/** An SSA value: produced by exactly one node, or a graph input, constant or state. */
export class Value {
  producer: Node | null = null;
  constructor(
    readonly id: number,
    public type: TensorType,
    public name: string,
  ) {}
  toString(): string {
    return `%${this.name || this.id}`;
  }
}

export class Node {
  constructor(
    readonly id: number,
    readonly op: string,
    public inputs: Value[],
    public outputs: Value[],
    public attrs: Attrs,
    public name: string,
  ) {}
}

/**
 * A dataflow graph. `nodes` is kept in a topological order (the verifier checks it).
 *
 * - constants: immutable tensors baked in (weights of an inference model).
 * - states: persistent device tensors with an initial value (trainable parameters, optimizer
 *   moments, step counters); `stateUpdates` maps a state to the value that replaces it at the
 *   end of each run. That is how a training step updates parameters in place.
 */
export class Graph {
  inputs: Value[] = [];
  outputs: Value[] = [];
  nodes: Node[] = [];
  readonly constants = new Map<Value, HostTensor>();
  readonly states = new Map<Value, HostTensor>();
  readonly stateUpdates = new Map<Value, Value>();
  #nextId = 0;

  constructor(public name = 'main') {}

  newValue(type: TensorType, name = ''): Value {
    return new Value(this.#nextId++, type, name);
  }

  newNodeId(): number {
    return this.#nextId++;
  }

  /** Every value a node may read without a producer: inputs, constants, states. */
  isSource(v: Value): boolean {
    return this.constants.has(v) || this.states.has(v) || this.inputs.includes(v);
  }

  /** Maps each value to the nodes reading it (graph outputs and state updates not included). */
  users(): Map<Value, Node[]> {
    const users = new Map<Value, Node[]>();
    for (const n of this.nodes) {
      for (const v of n.inputs) {
        const list = users.get(v);
        if (list) list.push(n);
        else users.set(v, [n]);
      }
    }
    return users;
  }

  describe(v: Value): string {
    return `${v} (${formatType(v.type)})`;
  }
}
