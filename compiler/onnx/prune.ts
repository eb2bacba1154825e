import type { Graph, Value } from '../../ir/index.js';

/**
 * Removes nodes whose results no output needs, and constants no node reads: folding leaves
 * the constants it consumed behind, and parameters read at import time (Reshape's shape,
 * Slice's starts) are never data. Graph inputs stay: they are the model's signature.
 */
export function pruneGraph(graph: Graph): void {
  const live = new Set<Value>(graph.outputs);
  for (const next of graph.stateUpdates.values()) live.add(next);
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((v) => live.has(v))) continue;
    kept.push(node);
    for (const v of node.inputs) live.add(v);
  }
  graph.nodes = kept.reverse();
  for (const v of [...graph.constants.keys()]) if (!live.has(v)) graph.constants.delete(v);
}
