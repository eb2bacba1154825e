import type { Graph, Value } from '../../ir/index.js';
import { attrsKey, tensorKey } from './attr_key.js';
import { isRandomOp } from './op_traits.js';
import { rewriteGraph } from './rewrite.js';

/** Constants up to this many elements are compared by content; larger ones only by identity. */
export const CSE_MAX_CONSTANT_ELEMENTS = 4096;

/**
 * Common-subexpression elimination: two nodes with the same op, the same inputs and deep-equal
 * attributes compute the same thing, so the later one is replaced by the earlier. Small
 * constants with equal content (dtype, shape, values — -0 and NaN bit-for-bit) count as the same
 * input, so `x * 2` built twice from two separate `2` constants merges too.
 *
 * Random ops are never merged: two draws are two draws.
 */
export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const canonicalConstant = new Map<Value, Value>();
  const byContent = new Map<string, Value>();
  for (const [v, t] of graph.constants) {
    const key = tensorKey(t, CSE_MAX_CONSTANT_ELEMENTS);
    if (key === undefined) continue;
    const first = byContent.get(key);
    if (first) canonicalConstant.set(v, first);
    else byContent.set(key, v);
  }

  const seen = new Map<string, Value[]>();
  return rewriteGraph(graph, (node, ctx) => {
    const inputs = node.inputs.map((v) => ctx.map(canonicalConstant.get(v) ?? v));
    const key = `${node.op}(${inputs.map((v) => v.id).join(',')}){${attrsKey(node.attrs)}}`;
    const earlier = seen.get(key);
    if (earlier && !isRandomOp(node.op)) return earlier;
    const outs = ctx.emit(node.op, inputs, node.attrs, node.name);
    seen.set(key, outs);
    return outs;
  });
}
