import type { Graph, HostTensor, Node, Value } from '../../ir/index.js';
import type { FoldLimits } from './evaluate.js';
import { foldOp } from './evaluate.js';
import type { RewriteContext } from './rewrite.js';
import { rewriteGraph } from './rewrite.js';

export type FoldConstantsOptions = Partial<FoldLimits>;

export const DEFAULT_FOLD_MAX_ELEMENTS = 16 * 1024 * 1024;
export const DEFAULT_FOLD_MAX_GROWN_ELEMENTS = 4096;

/**
 * Constant folding: a node whose inputs are all constants (zero-input generators such as
 * `fill` and `range` included) is computed once, at compile time, by the one constant
 * evaluator (evaluate.ts: the reference interpreter) and replaced by constants. The sweep is
 * topological, so whole constant subgraphs fold — in particular the shape arithmetic ONNX
 * exporters emit (Shape→Gather→Concat→Reshape inputs).
 *
 * Left alone: states (they change between runs), what foldOp declines (random ops, f16,
 * symbolic shapes, results over `maxElements` or grown past `maxGrownElements`), and ops the
 * interpreter cannot run — those fail at run time with their own error, not here.
 */
export function makeFoldConstants(options: FoldConstantsOptions = {}): (graph: Graph) => Graph {
  const limits = { maxElements: options.maxElements ?? DEFAULT_FOLD_MAX_ELEMENTS, maxGrownElements: options.maxGrownElements ?? DEFAULT_FOLD_MAX_GROWN_ELEMENTS };
  return (graph) => rewriteGraph(graph, (node, ctx) => foldNode(node, ctx, limits));
}

export const foldConstants: (graph: Graph) => Graph = makeFoldConstants();

function foldNode(node: Node, ctx: RewriteContext, limits: Required<FoldConstantsOptions>): Value[] | null {
  const inputs: HostTensor[] = [];
  for (const v of node.inputs) {
    const t = ctx.constantOf(ctx.map(v));
    if (!t) return null;
    inputs.push(t);
  }
  let results: HostTensor[] | null;
  try {
    results = foldOp(node.op, inputs, node.attrs, node.name, limits);
  } catch {
    // Whatever the interpreter rejects the kernel would too: keep the node, so the error
    // surfaces at run time naming it.
    return null;
  }
  return results?.map((t, i) => ctx.constant(t, node.outputs[i].name)) ?? null;
}
