import type { Graph, Node, Value } from '../../ir/index.js';
import { GraphError } from '../../ir/index.js';
import { withNodes } from './shallow_graph.js';
import { rebuildGraph } from './rebuild.js';

/**
 * Shape and dtype inference to a fixed point: every node's output types are derived again from
 * its inputs, so refined input types (a symbolic dim made concrete, a stale recorded type)
 * propagate through the whole graph, symbolic dims included. Nodes are first put in a
 * topological order, which is what makes one sweep the fixed point of a DAG; a cycle is a
 * GraphError naming a node on it.
 */
export function inferShapes(graph: Graph): Graph {
  return rebuildGraph(inTopologicalOrder(graph));
}

/** The same graph with its nodes in a topological order (stable: an ordered graph is unchanged). */
export function inTopologicalOrder(graph: Graph): Graph {
  const producer = new Map<Value, Node>();
  for (const n of graph.nodes) for (const v of n.outputs) producer.set(v, n);
  const position = new Map<Node, number>(graph.nodes.map((n, i) => [n, i]));
  const inOrder = graph.nodes.every((n, i) => n.inputs.every((v) => (position.get(producer.get(v)!) ?? -1) < i));
  if (inOrder) return graph;

  const state = new Map<Node, 'visiting' | 'done'>();
  const ordered: Node[] = [];
  // Iterative depth-first search: deep graphs must not overflow the call stack.
  for (const root of graph.nodes) {
    if (state.has(root)) continue;
    const stack: [Node, number][] = [[root, 0]];
    state.set(root, 'visiting');
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, next] = top;
      if (next < node.inputs.length) {
        top[1]++;
        const dep = producer.get(node.inputs[next]);
        if (!dep) continue;
        const s = state.get(dep);
        if (s === 'visiting') throw new GraphError(`${dep.op} '${dep.name}': the graph has a cycle through this node`);
        if (s === undefined) {
          state.set(dep, 'visiting');
          stack.push([dep, 0]);
        }
      } else {
        state.set(node, 'done');
        ordered.push(node);
        stack.pop();
      }
    }
  }
  return withNodes(graph, ordered);
}
