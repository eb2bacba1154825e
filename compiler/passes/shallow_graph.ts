import type { HostTensor, Node, Value } from '../../ir/index.js';
import { Graph } from '../../ir/index.js';

/**
 * A graph sharing `graph`'s values and nodes but with another node list (and optionally fewer
 * constants): the input of a `rebuildGraph` that drops or reorders nodes. Never returned by a
 * pass — its values still belong to `graph`.
 */
export function withNodes(graph: Graph, nodes: Node[], keepConstant: (v: Value, t: HostTensor) => boolean = () => true): Graph {
  const view = new Graph(graph.name);
  view.inputs = graph.inputs;
  view.outputs = graph.outputs;
  view.nodes = nodes;
  for (const [v, t] of graph.constants) if (keepConstant(v, t)) view.constants.set(v, t);
  for (const [v, t] of graph.states) view.states.set(v, t);
  for (const [s, next] of graph.stateUpdates) view.stateUpdates.set(s, next);
  return view;
}
