import type { Graph, Value } from '../../ir/index.js';

/** Values a run needs: graph outputs, state updates, and everything they are computed from. */
export function liveValues(graph: Graph): Set<Value> {
  const live = new Set<Value>([...graph.outputs, ...graph.stateUpdates.values()]);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node.outputs.some((v) => live.has(v))) for (const v of node.inputs) live.add(v);
  }
  return live;
}

/** Values anything refers to: node inputs (dead nodes included), graph outputs, state updates. */
export function usedValues(graph: Graph): Set<Value> {
  const used = new Set<Value>([...graph.outputs, ...graph.stateUpdates.values()]);
  for (const node of graph.nodes) for (const v of node.inputs) used.add(v);
  return used;
}
