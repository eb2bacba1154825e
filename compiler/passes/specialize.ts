import type { Dim, Graph, Node } from '../../ir/index.js';
import { substituteDim } from '../../ir/index.js';
import type { NodeRewrite } from './rebuild.js';
import { rebuildGraph } from './rebuild.js';

/**
 * Binds some symbolic dims to sizes: every shape and every dim-valued attribute (a reshape target
 * ['N', 12] from an imported shape computation) has those symbols replaced, expressions folded
 * (`N+1` with N = 3 is 4). Dims not given stay symbolic.
 */
export function specialize(graph: Graph, dims: ReadonlyMap<string, number>): Graph {
  if (dims.size === 0) return graph;
  const values = new Map<string, Dim>(dims);
  const bind = (d: Dim): Dim => (typeof d === 'string' ? substituteDim(d, values) : d);
  const bindAttrs: NodeRewrite = (node, ctx) => {
    let changed = false;
    const attrs: Record<string, Node['attrs'][string]> = {};
    for (const [key, value] of Object.entries(node.attrs)) {
      if (Array.isArray(value) && value.some((d) => typeof d === 'string' && bind(d) !== d)) {
        attrs[key] = (value as readonly Dim[]).map(bind);
        changed = true;
      } else attrs[key] = value;
    }
    return changed ? ctx.emit(node.op, node.inputs.map(ctx.map), attrs, node.name) : null;
  };
  return rebuildGraph(graph, bindAttrs, (v) => ({ dtype: v.type.dtype, shape: v.type.shape.map(bind) }));
}
