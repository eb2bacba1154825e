import type { Graph } from '../../ir/index.js';
import { Node } from '../../ir/index.js';
import { rebuildGraph } from './rebuild.js';

/**
 * Graph outputs must be written by a kernel into the arena (the runtime reads outputs from
 * there): an output that is an input, a constant, a state, or repeats another output gets an
 * identity node of its own.
 */
export function materializeOutputs(graph: Graph): Graph {
  const seen = new Set<unknown>();
  const needsCopy = graph.outputs.some((v) => {
    const repeated = seen.has(v);
    seen.add(v);
    return repeated || v.producer === null;
  });
  if (!needsCopy) return graph;
  const out = rebuildGraph(graph);
  const used = new Set<unknown>();
  out.outputs = out.outputs.map((v, i) => {
    if (v.producer !== null && !used.has(v)) {
      used.add(v);
      return v;
    }
    const name = graph.outputs[i].name || `output_${i}`;
    const copy = out.newValue(v.type, name);
    const node = new Node(out.newNodeId(), 'identity', [v], [copy], {}, `${name}/copy`);
    copy.producer = node;
    out.nodes.push(node);
    return copy;
  });
  return out;
}
