import type { Graph } from '../../ir/index.js';
import { liveValues } from './liveness.js';
import { withNodes } from './shallow_graph.js';
import { rebuildGraph } from './rebuild.js';

/**
 * Dead-code elimination: drops nodes that neither a graph output nor a state update depends on,
 * and constants no remaining node reads. Inputs and states stay: they are the graph's interface
 * (a caller passes every input; states persist across runs and checkpoints).
 */
export function eliminateDeadCode(graph: Graph): Graph {
  const live = liveValues(graph);
  const nodes = graph.nodes.filter((n) => n.outputs.some((v) => live.has(v)));
  return rebuildGraph(withNodes(graph, nodes, (v) => live.has(v)));
}
