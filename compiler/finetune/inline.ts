import type { Graph, Value } from '../../ir/index.js';
import { GraphError } from '../../ir/index.js';
import type { Parameter } from '../dsl/parameter.js';
import type { Tensor, TensorTrace } from '../dsl/tensor.js';
import { RANDOM_KEY_INPUT } from '../onnx/context.js';

/**
 * Appends a graph's computation to the graph a trace is writing, as if the DSL had written it:
 * each node is emitted again (shape-checked, named under the trace's scope), the graph's inputs
 * read the tensors given by name (the random key: the trace's), its constants become the
 * trace's constants, its states the trace's parameters of the same names (`parameter`), its
 * state updates the trace's, and each random op gets a fresh salt from the trace (two inlined
 * models draw different masks). Returns the graph's outputs.
 */
export function inlineGraph(trace: TensorTrace, graph: Graph, inputs: ReadonlyMap<string, Tensor>, parameter: (stateName: string) => Parameter): Tensor[] {
  const image = new Map<Value, Value>();
  for (const v of graph.inputs) {
    const bound = v.name === RANDOM_KEY_INPUT ? trace.randomKey() : inputs.get(v.name);
    if (!bound) throw new GraphError(`inlining '${graph.name}': its input '${v.name}' is not bound`);
    image.set(v, bound.value);
  }
  const valueOf = (v: Value): Value => {
    let m = image.get(v);
    if (m) return m;
    const constant = graph.constants.get(v);
    if (constant) m = trace.constant(constant, v.name).value;
    else if (graph.states.has(v)) m = trace.param(parameter(v.name)).value;
    else throw new GraphError(`inlining '${graph.name}': ${v} is read before it is computed`);
    image.set(v, m);
    return m;
  };
  for (const node of graph.nodes) {
    const attrs = 'salt' in node.attrs ? { ...node.attrs, salt: trace.nextSalt() } : node.attrs;
    const outputs = trace.emit(node.op, node.inputs.map(valueOf), attrs);
    node.outputs.forEach((v, i) => image.set(v, outputs[i]));
  }
  for (const [state, next] of graph.stateUpdates) trace.updateState(trace.param(parameter(state.name)), trace.wrap(valueOf(next)));
  return graph.outputs.map((v) => trace.wrap(valueOf(v)));
}
