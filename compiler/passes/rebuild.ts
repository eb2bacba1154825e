import type { HostTensor, Value } from '../../ir/index.js';
import { Graph, inferOp, Node } from '../../ir/index.js';

/** What a node rewrite sees while a graph is rebuilt: the new graph, and old values' images in it. */
export interface RebuildContext {
  readonly graph: Graph;
  /** The new value for an old one. */
  map(v: Value): Value;
  /** Appends a node to the new graph, inferring its outputs. */
  emit(op: string, inputs: readonly Value[], attrs: Node['attrs'], name: string): Value[];
}

/** The values that replace a node's outputs (emitted through the context), or null to copy the node. */
export type NodeRewrite = (node: Node, ctx: RebuildContext) => Value[] | null;

/**
 * Rebuilds a graph node by node through `rewrite` (and sources through `retype`): the one way
 * passes make new graphs, so every pass's output is freshly type-inferred and its values are
 * new objects. `rewriteGraph` (rewrite.ts) builds the rule-based passes on it.
 */
export function rebuildGraph(graph: Graph, rewrite: NodeRewrite | null = null, retype: (v: Value) => Value['type'] = (v) => v.type): Graph {
  const out = new Graph(graph.name);
  const mapping = new Map<Value, Value>();
  const map = (v: Value): Value => {
    const m = mapping.get(v);
    if (!m) throw new Error(`rebuild: ${v} has no image`);
    return m;
  };
  const source = (v: Value, t: HostTensor | null, kind: 'input' | 'constant' | 'state') => {
    const nv = out.newValue(retype(v), v.name);
    mapping.set(v, nv);
    if (kind === 'input') out.inputs.push(nv);
    else if (kind === 'constant') out.constants.set(nv, t!);
    else out.states.set(nv, t!);
  };
  for (const v of graph.inputs) source(v, null, 'input');
  for (const [v, t] of graph.constants) source(v, t, 'constant');
  for (const [v, t] of graph.states) source(v, t, 'state');
  const ctx: RebuildContext = {
    graph: out,
    map,
    emit(op, inputs, attrs, name) {
      const where = `${op} '${name}'`;
      const inferred = inferOp(op, inputs.map((v) => v.type), attrs, where);
      const node = new Node(out.newNodeId(), op, [...inputs], [], inferred.attrs, name);
      node.outputs = inferred.outputs.map((t, i) => {
        const v = out.newValue(t, inferred.outputs.length === 1 ? name : `${name}:${i}`);
        v.producer = node;
        return v;
      });
      out.nodes.push(node);
      return node.outputs;
    },
  };
  for (const node of graph.nodes) {
    const replaced = rewrite?.(node, ctx) ?? null;
    const outs = replaced ?? ctx.emit(node.op, node.inputs.map(map), node.attrs, node.name);
    node.outputs.forEach((v, i) => {
      // Keep the original value names (graph outputs are found by name).
      outs[i].name = v.name;
      mapping.set(v, outs[i]);
    });
  }
  out.outputs = graph.outputs.map(map);
  for (const [s, next] of graph.stateUpdates) out.stateUpdates.set(map(s), map(next));
  return out;
}
