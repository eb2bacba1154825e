import type { Graph, Node, Value } from '../../ir/index.js';
import { matchGelu } from './patterns/gelu.js';
import { matchLayerNorm, matchLayerNormBias } from './patterns/layer_norm.js';
import { matchSoftmax } from './patterns/softmax.js';
import type { RewriteContext } from './rewrite.js';
import { rewriteGraph } from './rewrite.js';

type Matcher = (ctx: RewriteContext, v: Value) => Value[] | undefined;

/** Which matchers may apply at a node of each op (the root of the decomposed form). */
const MATCHERS: Readonly<Record<string, readonly Matcher[]>> = {
  mul: [matchGelu, matchLayerNorm, matchSoftmax],
  div: [matchLayerNorm, matchSoftmax],
  sub: [matchSoftmax],
  add: [matchLayerNormBias],
};

/**
 * Recognizes decomposed exporter patterns and replaces them by the single op: GELU (erf and
 * tanh forms) → gelu, softmax and log-softmax → softmax / logSoftmax, LayerNorm (with its
 * scale and bias) → layerNorm. Each is one op the fusion pass and the kernels know how to
 * make fast; the decomposed form would be several reductions and elementwise kernels.
 *
 * Matching sees the rewritten graph, so a pattern's root sees its operands already rewritten
 * (the layerNorm a scale is multiplied into, for instance). The nodes a match makes dead go
 * with it; intermediates something else still reads stay.
 */
export function recognizePatterns(graph: Graph): Graph {
  return rewriteGraph(graph, (node: Node, ctx) => {
    const matchers = MATCHERS[node.op];
    if (!matchers) return null;
    const [v] = ctx.emit(node.op, node.inputs.map(ctx.map), node.attrs, node.name);
    for (const match of matchers) {
      const found = match(ctx, v);
      if (found) return found;
    }
    return [v];
  });
}
