import { GraphError, ShapeError } from './errors.js';
import type { Graph, Value } from './graph.js';
import { inferOp } from './registry.js';
import { formatType } from './tensor.js';

/**
 * Checks a graph's invariants: nodes in topological order (so no cycles), every input defined,
 * each value produced once, outputs defined, and every node's recorded types equal to what
 * inference derives. Throws typed errors naming the node.
 */
export function verifyGraph(graph: Graph): void {
  const defined = new Set<Value>([...graph.inputs, ...graph.constants.keys(), ...graph.states.keys()]);
  const producedLater = new Set<Value>(graph.nodes.flatMap((n) => n.outputs));
  for (const node of graph.nodes) {
    const where = `${node.op} '${node.name}'`;
    for (const [i, v] of node.inputs.entries()) {
      if (defined.has(v)) continue;
      if (producedLater.has(v)) throw new GraphError(`${where}: input ${i} ${v} is produced later: the graph has a cycle or is out of order`);
      throw new GraphError(`${where}: input ${i} ${v} is dangling (no producer, not a graph input, constant or state)`);
    }
    const { outputs } = inferOp(node.op, node.inputs.map((v) => v.type), node.attrs, where);
    if (outputs.length !== node.outputs.length) throw new GraphError(`${where}: has ${node.outputs.length} outputs, op defines ${outputs.length}`);
    for (const [i, v] of node.outputs.entries()) {
      if (defined.has(v)) throw new GraphError(`${where}: output ${i} ${v} is defined twice`);
      const t = outputs[i];
      if (t.dtype !== v.type.dtype || t.shape.length !== v.type.shape.length || t.shape.some((d, j) => d !== v.type.shape[j])) {
        throw new ShapeError(`${where}: output ${i} ${v} is recorded as ${formatType(v.type)} but infers to ${formatType(t)}`);
      }
      defined.add(v);
    }
  }
  for (const v of graph.outputs) {
    if (!defined.has(v)) throw new GraphError(`graph '${graph.name}': output ${v} is never defined`);
  }
  for (const [state, next] of graph.stateUpdates) {
    if (!graph.states.has(state)) throw new GraphError(`graph '${graph.name}': ${state} is updated but is not a state`);
    if (!defined.has(next)) throw new GraphError(`graph '${graph.name}': update of ${state} reads undefined ${next}`);
    if (formatType(state.type) !== formatType(next.type)) throw new ShapeError(`graph '${graph.name}': update of ${state} ${formatType(state.type)} with ${formatType(next.type)}`);
  }
}
