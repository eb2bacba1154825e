import type { Graph, HostTensor, Node, Value } from '../../ir/index.js';
import { inferOp, isStaticShape, numel } from '../../ir/index.js';
import { hasRef } from '../../targets/reference/kernels.js';
import { evaluateOp } from './evaluate.js';
import { isRandomOp } from './op_traits.js';
import type { RewriteContext } from './rewrite.js';
import { rewriteGraph } from './rewrite.js';

export interface FoldConstantsOptions {
  /** Results with more elements than this stay computed at run time (weights would balloon). */
  readonly maxElements?: number;
  /**
   * Results larger than their inputs together (fill, range, expand, tile, a scalar broadcast)
   * fold only up to this many elements: computed, they fuse into their consumer as an
   * expression and cost no memory; folded, they are weights to store, upload and read.
   */
  readonly maxGrownElements?: number;
}

export const DEFAULT_FOLD_MAX_ELEMENTS = 16 * 1024 * 1024;
export const DEFAULT_FOLD_MAX_GROWN_ELEMENTS = 4096;

/**
 * Constant folding: a node whose inputs are all constants (zero-input generators such as
 * `fill` and `range` included) is computed once, at compile time, by the reference interpreter
 * and replaced by constants. The sweep is topological, so whole constant subgraphs fold —
 * in particular the shape arithmetic ONNX exporters emit (Shape→Gather→Concat→Reshape inputs).
 *
 * Left alone: random ops (their key is state), states (they change between runs), results
 * over `maxElements` or grown past `maxGrownElements`, f16 (the host holds f16 as raw bits the interpreter does not compute on),
 * symbolic output shapes, and ops the interpreter cannot run — those fail at run time with
 * their own error, not here.
 */
export function makeFoldConstants(options: FoldConstantsOptions = {}): (graph: Graph) => Graph {
  const limits = { maxElements: options.maxElements ?? DEFAULT_FOLD_MAX_ELEMENTS, maxGrownElements: options.maxGrownElements ?? DEFAULT_FOLD_MAX_GROWN_ELEMENTS };
  return (graph) => rewriteGraph(graph, (node, ctx) => foldNode(node, ctx, limits));
}

export const foldConstants: (graph: Graph) => Graph = makeFoldConstants();

function foldNode(node: Node, ctx: RewriteContext, limits: Required<FoldConstantsOptions>): Value[] | null {
  if (isRandomOp(node.op) || !hasRef(node.op)) return null;
  const inputs: HostTensor[] = [];
  for (const v of node.inputs) {
    const t = ctx.constantOf(ctx.map(v));
    if (!t || t.dtype === 'f16') return null;
    inputs.push(t);
  }
  const where = `${node.op} '${node.name}'`;
  const { outputs } = inferOp(node.op, inputs.map((t) => ({ dtype: t.dtype, shape: t.shape })), node.attrs, where);
  if (outputs.some((t) => t.dtype === 'f16' || !isStaticShape(t.shape))) return null;
  const produced = outputs.reduce((n, t) => n + numel(t.shape as number[]), 0);
  const consumed = inputs.reduce((n, t) => n + t.data.length, 0);
  if (produced > limits.maxElements || (produced > consumed && produced > limits.maxGrownElements)) return null;
  let results: HostTensor[];
  try {
    results = evaluateOp(node.op, inputs, node.attrs, node.name);
  } catch {
    // Whatever the interpreter rejects the kernel would too: keep the node, so the error
    // surfaces at run time naming it.
    return null;
  }
  return results.map((t, i) => ctx.constant(t, node.outputs[i].name));
}
