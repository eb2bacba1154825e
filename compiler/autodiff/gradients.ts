import type { Graph, Value } from '../../ir/index.js';
import { formatType, GraphError, isFloat, shapesEqual } from '../../ir/index.js';
import type { Tensor, TensorTrace } from '../dsl/tensor.js';
import { Trace } from '../dsl/trace.js';
import type { GradContext } from './registry.js';
import { gradientRules, hasNoGradient } from './registry.js';
import { broadcastLike } from './reshape_grad.js';
import './rules/index.js';

export interface GradientOptions {
  /** The gradient of `y` itself (default: ones of y's shape, i.e. differentiate sum(y)). */
  readonly seed?: Value;
  /** Scope of the backward nodes' names. */
  readonly prefix?: string;
}

/**
 * Reverse-mode differentiation as a graph-to-graph pass: appends to `graph` the nodes that
 * compute ∂sum(y)/∂v for each v in `wrt`, and returns those values (null where y does not
 * depend on v). Gradients of a value used several times are summed; none flows through
 * integer or bool values, nor through the ops of NO_GRADIENT (comparisons, argMax...). Any
 * other op without a rule is an UnsupportedOpError naming the node.
 */
export function gradients(graph: Graph, y: Value, wrt: readonly Value[], options: GradientOptions = {}): (Value | null)[] {
  const trace = Trace.over(graph, { prefix: options.prefix ?? 'grad' });
  return gradientsIn(trace, y, wrt, options.seed).map((t) => t?.value ?? null);
}

/** The same on DSL tensors: gradients of sum(y) with respect to each of `wrt`. */
export function grad(y: Tensor, wrt: readonly Tensor[], seed?: Tensor): (Tensor | null)[] {
  return y.trace.scope('grad', () => gradientsIn(y.trace, y.value, wrt.map((t) => t.value), seed?.value));
}

function gradientsIn(trace: TensorTrace, y: Value, wrt: readonly Value[], seed: Value | undefined): (Tensor | null)[] {
  const graph = trace.graph;
  const carries = (v: Value) => isFloat(v.type.dtype);

  // Values that depend on some wrt through float values: the only ones with gradients.
  const active = new Set<Value>(wrt.filter(carries));
  for (const node of graph.nodes) {
    if (node.inputs.some((v) => active.has(v))) for (const v of node.outputs) if (carries(v)) active.add(v);
  }
  // Values y depends on.
  const needed = new Set<Value>([y]);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node.outputs.some((v) => needed.has(v))) for (const v of node.inputs) needed.add(v);
  }
  const relevant = graph.nodes.filter((n) => n.outputs.some((v) => active.has(v) && needed.has(v)));

  const pending = new Map<Value, Tensor[]>();
  const add = (v: Value, g: Tensor) => {
    const list = pending.get(v);
    if (list) list.push(g);
    else pending.set(v, [g]);
  };
  const total = (v: Value): Tensor | null => {
    const list = pending.get(v);
    if (!list) return null;
    const sum = list.reduce((acc, g) => acc.add(g));
    pending.set(v, [sum]);
    return sum;
  };

  if (!active.has(y)) return wrt.map(() => null);
  const yt = trace.wrap(y);
  add(y, seed ? trace.wrap(seed) : y.type.shape.length === 0 ? trace.wrap(trace.scalar(1, y.type.dtype)) : broadcastLike(yt.lift(1), yt));

  for (let i = relevant.length - 1; i >= 0; i--) {
    const node = relevant[i];
    const dy = node.outputs.map(total);
    if (dy.every((g) => g === null)) continue;
    const where = `${node.op} '${node.name}'`;
    if (hasNoGradient(node.op)) continue;
    const rule = gradientRules.get(node.op, where);
    const needs = node.inputs.map((v) => active.has(v));
    const ctx: GradContext = {
      trace,
      node,
      x: node.inputs.map((v) => trace.wrap(v)),
      y: node.outputs.map((v) => trace.wrap(v)),
      dy,
      needs,
      attr: <T,>(name: string) => node.attrs[name] as T,
    };
    const dx = trace.scope(node.name, () => rule(ctx));
    node.inputs.forEach((v, k) => {
      const g = dx[k];
      if (!needs[k] || !g) return;
      if (g.dtype !== v.type.dtype || !shapesEqual(g.shape, v.type.shape)) {
        throw new GraphError(`${where}: the gradient rule made ${formatType(g.value.type)} for input ${k} ${formatType(v.type)}`);
      }
      add(v, g);
    });
  }
  return wrt.map((v) => (pending.has(v) ? total(v) : null));
}
