import type { Graph, Node } from '../../ir/index.js';
import { matchAttention } from './patterns/attention.js';
import { rewriteGraph } from './rewrite.js';

/**
 * Scaled dot-product attention (scores matmul → scale → mask → softmax → matmul) as one
 * `attention` op, whose kernel never writes the scores to memory: one kernel where there were
 * three (and one pipeline for the driver to compile where there were three). Runs after
 * recognizePatterns, which turns exported softmax chains into the softmax op matched here.
 */
export function fuseAttention(graph: Graph): Graph {
  return rewriteGraph(graph, (node: Node, ctx) => {
    if (node.op !== 'matmul') return null;
    const [v] = ctx.emit(node.op, node.inputs.map(ctx.map), node.attrs, node.name);
    return matchAttention(ctx, v) ?? [v];
  });
}
