import type { Graph, Node } from '../../ir/index.js';
import { bindShape } from '../../ir/index.js';
import type { NodeRewrite } from './rebuild.js';
import { rebuildGraph } from './rebuild.js';

/**
 * Binds symbolic dims to sizes: every shape of the result is static. Dims named in attributes
 * (a reshape target ['N', 12] from an imported shape computation) are bound too.
 */
export function specialize(graph: Graph, dims: ReadonlyMap<string, number>): Graph {
  const bindAttrs: NodeRewrite = (node, ctx) => {
    let changed = false;
    const attrs: Record<string, Node['attrs'][string]> = {};
    for (const [key, value] of Object.entries(node.attrs)) {
      if (Array.isArray(value) && value.some((d) => typeof d === 'string' && dims.has(d))) {
        attrs[key] = (value as readonly (number | string)[]).map((d) => (typeof d === 'string' ? (dims.get(d) ?? d) : d));
        changed = true;
      } else attrs[key] = value;
    }
    return changed ? ctx.emit(node.op, node.inputs.map(ctx.map), attrs, node.name) : null;
  };
  return rebuildGraph(graph, bindAttrs, (v) => ({ dtype: v.type.dtype, shape: bindShape(v.type.shape, dims, `input '${v.name}'`) }));
}
