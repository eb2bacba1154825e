import type { Attrs, DType, HostTensor, Shape, Value } from '../../ir/index.js';
import { allocHost, Graph, inferOp, Node, UsageError } from '../../ir/index.js';
import type { Parameter } from './parameter.js';
import { withUserLocation } from './source_location.js';
import type { Mode, TensorTrace } from './tensor.js';
import { Tensor } from './tensor.js';

export interface TraceOptions {
  readonly mode?: Mode;
  /** Seeds the random streams (dropout) of this graph. */
  readonly seed?: number;
  /** A scope every node name starts with ("grad", "adam"...). */
  readonly prefix?: string;
}

/** The name of the step-counter state every training graph shares. */
export const STEP_STATE = 'step';

/**
 * The graph a DSL program is writing, with what the writing needs on top of the graph itself:
 * unique, scoped node names ("fc1/matmul_0"), interned scalar constants, the parameters used so
 * far (each becomes a state on first use), the mode, and the random key.
 */
export class Trace implements TensorTrace {
  readonly graph: Graph;
  readonly mode: Mode;
  readonly seed: number;
  readonly #scopes: string[] = [];
  readonly #taken: Set<string>;
  readonly #counters = new Map<string, number>();
  readonly #scalars = new Map<string, Value>();
  readonly #params = new Map<Parameter, Value>();
  #salt = 0;
  #step: Value | undefined;

  constructor(graphOrName: Graph | string = 'main', options: TraceOptions = {}) {
    this.graph = typeof graphOrName === 'string' ? new Graph(graphOrName) : graphOrName;
    this.mode = options.mode ?? 'train';
    this.seed = options.seed ?? 0;
    if (options.prefix) this.#scopes.push(options.prefix);
    this.#taken = new Set(this.graph.nodes.map((n) => n.name));
    for (const [v] of this.graph.states) if (v.name === STEP_STATE) this.#step = v;
  }

  /** A trace that appends to an existing graph (graph passes: autodiff, optimizers). */
  static over(graph: Graph, options: TraceOptions = {}): Trace {
    return new Trace(graph, options);
  }

  get training(): boolean {
    return this.mode === 'train';
  }

  /** Applies an op to values; errors carry the user's source location. */
  emit(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value[] {
    const name = this.#freshName(op);
    try {
      const where = `${op} '${name}'`;
      const inferred = inferOp(op, inputs.map((v) => v.type), attrs, where);
      const node = new Node(this.graph.newNodeId(), op, [...inputs], [], inferred.attrs, name);
      node.outputs = inferred.outputs.map((t, i) => {
        const v = this.graph.newValue(t, inferred.outputs.length === 1 ? name : `${name}:${i}`);
        v.producer = node;
        return v;
      });
      this.graph.nodes.push(node);
      return node.outputs;
    } catch (e) {
      throw withUserLocation(e);
    }
  }

  /** Applies an op to tensors; returns its first output. */
  op(op: string, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor {
    return this.wrap(this.emit(op, inputs.map((t) => t.value), attrs)[0]);
  }

  wrap(v: Value): Tensor {
    return new Tensor(this, v);
  }

  input(name: string, dtype: DType, shape: Shape): Tensor {
    if (this.graph.inputs.some((v) => v.name === name)) throw new UsageError(`input '${name}' is declared twice`);
    const v = this.graph.newValue({ dtype, shape: [...shape] }, name);
    this.graph.inputs.push(v);
    return this.wrap(v);
  }

  constant(t: HostTensor, name = ''): Tensor {
    const v = this.graph.newValue({ dtype: t.dtype, shape: [...t.shape] }, name || this.#freshName('const'));
    this.graph.constants.set(v, t);
    return this.wrap(v);
  }

  /** A rank-0 constant, shared by every use of the same value and dtype. */
  scalar(value: number, dtype: DType = 'f32'): Value {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : String(value)}`;
    let v = this.#scalars.get(key);
    if (!v) {
      v = this.graph.newValue({ dtype, shape: [] }, this.#freshName(`scalar`));
      const data = allocHost(dtype, 1);
      data[0] = dtype === 'bool' ? (value ? 1 : 0) : value;
      this.graph.constants.set(v, { dtype, shape: [], data });
      this.#scalars.set(key, v);
    }
    return v;
  }

  /** A persistent tensor with an initial value; `updateState` says what replaces it each run. */
  state(name: string, initial: HostTensor): Tensor {
    for (const [v] of this.graph.states) if (v.name === name) throw new UsageError(`state '${name}' is declared twice`);
    const v = this.graph.newValue({ dtype: initial.dtype, shape: [...initial.shape] }, name);
    this.graph.states.set(v, initial);
    return this.wrap(v);
  }

  updateState(state: Tensor, next: Tensor): void {
    if (!this.graph.states.has(state.value)) throw new UsageError(`${state.value}: only a state can be updated`);
    if (this.graph.stateUpdates.has(state.value)) throw new UsageError(`state '${state.value.name}' is updated twice in one graph`);
    this.graph.stateUpdates.set(state.value, next.value);
  }

  /** The graph value of a parameter: a state named after it, created on first use. */
  param(p: Parameter): Tensor {
    let v = this.#params.get(p);
    if (!v) {
      if (!p.name) throw new UsageError('a parameter was used before it was named: list the model\'s parameters first (module.namedParameters())');
      v = this.state(p.name, p.value).value;
      this.#params.set(p, v);
    }
    return this.wrap(v);
  }

  /** Parameters used by this graph so far, in first-use order. */
  get parameters(): ReadonlyMap<Parameter, Value> {
    return this.#params;
  }

  /** The u32 step counter (a state, 0 at first): training graphs advance it by one per run. */
  stepCounter(): Tensor {
    if (!this.#step) this.#step = this.state(STEP_STATE, { dtype: 'u32', shape: [], data: new Uint32Array(1) }).value;
    return this.wrap(this.#step);
  }

  /** The key of this run's random streams: (seed, step), a u32[2]. */
  randomKey(): Tensor {
    const seed = this.wrap(this.scalar(this.seed >>> 0, 'u32')).reshape([1]);
    return this.op('concat', [seed, this.stepCounter().reshape([1])], { axis: 0 });
  }

  /** A distinct stream per random op of the graph (two dropouts in one step differ). */
  nextSalt(): number {
    return this.#salt++;
  }

  output(t: Tensor, name: string): Tensor {
    if (this.graph.outputs.some((v) => v.name === name)) throw new UsageError(`output '${name}' is declared twice`);
    // A computed value is renamed in place; a source (input, state...) or a value already
    // output under another name gets a copy of its own.
    const v = t.value.producer === null || this.graph.outputs.includes(t.value) ? this.emit('identity', [t.value])[0] : t.value;
    v.name = name;
    this.graph.outputs.push(v);
    return this.wrap(v);
  }

  /** Runs `fn` with node names under `name/`. */
  scope<T>(name: string, fn: () => T): T {
    if (!name) return fn();
    this.#scopes.push(name);
    try {
      return fn();
    } finally {
      this.#scopes.pop();
    }
  }

  #freshName(op: string): string {
    const base = [...this.#scopes, op].join('/');
    for (let n = this.#counters.get(base) ?? 0; ; n++) {
      const name = `${base}_${n}`;
      if (!this.#taken.has(name)) {
        this.#taken.add(name);
        this.#counters.set(base, n + 1);
        return name;
      }
    }
  }
}
