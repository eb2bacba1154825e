import type { Graph, HostTensor, Node, Value } from '../../ir/index.js';
import { GraphError } from '../../ir/index.js';
import { liveValues, usedValues } from './liveness.js';
import type { RebuildContext } from './rebuild.js';
import { rebuildGraph } from './rebuild.js';

/**
 * What a rewrite rule sees. Rules read the NEW graph (`map` gives an old value's image), so a
 * rule applied to a node sees its inputs already rewritten: one topological sweep rewrites
 * whole chains bottom-up (transpose∘transpose∘transpose, mul chains of a pattern...).
 */
export interface RewriteContext extends RebuildContext {
  /** The graph being rewritten (old values). */
  readonly source: Graph;
  /** Adds a constant to the new graph. */
  constant(tensor: HostTensor, name: string): Value;
  /** The tensor of a new-graph value that is a constant. */
  constantOf(v: Value): HostTensor | undefined;
  /**
   * How many readers a new-graph value has: inputs of live nodes, graph outputs and state
   * updates of the source graph that read any value it stands for (for a value a rule created:
   * its readers in the new graph so far). A fold that deletes a value's producer needs one.
   */
  uses(v: Value): number;
  /** Whether a new-graph value is (the image of) a graph output or a state update. */
  escapes(v: Value): boolean;
}

/**
 * A rule returns the values that replace the node's outputs — new ones it emitted, or existing
 * ones (forwarding: `x * 1 → x`) — or null to keep the node as it is.
 */
export type RewriteRule = (node: Node, ctx: RewriteContext) => Value[] | null;

/**
 * Rebuilds `source` through `rule` (on top of `rebuildGraph`, so every node is re-inferred and
 * keeps its output names), with three guarantees a bare rebuild does not give:
 * - a graph output keeps its name: forwarded to an intermediate, that value takes the name;
 *   forwarded to an input, constant, state or another output, it becomes an `identity` of it;
 * - other forwarded values keep their own names;
 * - the rewrite leaves no garbage: nodes and constants it made dead, and those rules emitted
 *   but did not use, are dropped. Dead code that was already in `source` stays (that is
 *   eliminateDeadCode's job, so passes stay independent of each other).
 */
export function rewriteGraph(source: Graph, rule: RewriteRule): Graph {
  const liveOld = liveValues(source);
  // Dead readers do not count: dead code must not block a fold before DCE has run.
  const oldUses = countUses(source, liveOld);
  const escapingOld = new Set<Value>([...source.outputs, ...source.stateUpdates.values()]);
  const outputsOld = new Set<Value>(source.outputs);
  /** New value → the old values it stands for. */
  const preimages = new Map<Value, Value[]>();
  /** Values rules emitted (kept nodes re-emitted included), by emission order. */
  const created = new Map<Value, number>();
  const ownNames = new Map<Value, string>();
  let ctx: RewriteContext | null = null;

  const addPreimage = (image: Value, old: Value) => {
    const list = preimages.get(image);
    if (list) list.push(old);
    else preimages.set(image, [old]);
  };

  const makeContext = (base: RebuildContext): RewriteContext => {
    for (const v of [...source.inputs, ...source.constants.keys(), ...source.states.keys()]) addPreimage(base.map(v), v);
    const newUses = (v: Value) => {
      let n = base.graph.outputs.filter((o) => o === v).length;
      for (const node of base.graph.nodes) for (const input of node.inputs) if (input === v) n++;
      return n;
    };
    return {
      graph: base.graph,
      map: base.map,
      source,
      emit(op, inputs, attrs, name) {
        const outs = base.emit(op, inputs, attrs, name);
        for (const v of outs) created.set(v, created.size);
        return outs;
      },
      constant(tensor, name) {
        const v = base.graph.newValue({ dtype: tensor.dtype, shape: [...tensor.shape] }, name);
        base.graph.constants.set(v, tensor);
        created.set(v, created.size);
        return v;
      },
      constantOf: (v) => base.graph.constants.get(v),
      uses(v) {
        const olds = preimages.get(v);
        if (!olds) return newUses(v);
        return olds.reduce((n, old) => n + (oldUses.get(old) ?? 0), 0);
      },
      escapes: (v) => (preimages.get(v) ?? []).some((old) => escapingOld.has(old)),
    };
  };

  const out = rebuildGraph(source, (node, base) => {
    ctx ??= makeContext(base);
    const firstNew = created.size;
    const keep = () => ctx!.emit(node.op, node.inputs.map(ctx!.map), node.attrs, node.name);
    const replaced = rule(node, ctx) ?? keep();
    const forwards = (v: Value) => (created.get(v) ?? -1) < firstNew;
    if (replaced.length !== node.outputs.length) throw new GraphError(`${node.op} '${node.name}': a rewrite gave ${replaced.length} values for ${node.outputs.length} outputs`);
    const result = replaced.map((v, i) => {
      if (!forwards(v)) return v;
      if (!outputsOld.has(node.outputs[i])) {
        if (!ownNames.has(v)) ownNames.set(v, v.name);
        return v;
      }
      // A graph output may take over an intermediate (which then carries the output's name),
      // but not an input, constant, state or another output: it gets a copy of its own, as the
      // output's materialization would.
      if (v.producer && !ctx!.escapes(v)) {
        ownNames.delete(v);
        return v;
      }
      return ctx!.emit('identity', [v], {}, node.name)[0];
    });
    node.outputs.forEach((old, i) => {
      const v = result[i];
      checkSameType(node, old, v);
      addPreimage(v, old);
    });
    return result;
  });
  // rebuildGraph names every returned value after the output it replaces: undo that for
  // forwarded values.
  for (const [v, name] of ownNames) v.name = name;
  return sweepGarbage(out, source, liveOld, preimages, created);
}

/** A rewrite must not change what a value is: same dtype, same rank, same static sizes. */
function checkSameType(node: Node, old: Value, v: Value): void {
  const a = old.type;
  const b = v.type;
  const same = a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => typeof d !== 'number' || typeof b.shape[i] !== 'number' || d === b.shape[i]);
  if (!same) throw new GraphError(`${node.op} '${node.name}': a rewrite replaced ${old} ${a.dtype}[${a.shape}] by ${v} ${b.dtype}[${b.shape}]`);
}

/**
 * Readers of each value: node inputs (with multiplicity; only of nodes with a live output when
 * `live` is given), graph outputs and state updates.
 */
export function countUses(graph: Graph, live?: ReadonlySet<Value>): Map<Value, number> {
  const uses = new Map<Value, number>();
  const add = (v: Value) => uses.set(v, (uses.get(v) ?? 0) + 1);
  for (const n of graph.nodes) if (!live || n.outputs.some((v) => live.has(v))) n.inputs.forEach(add);
  graph.outputs.forEach(add);
  for (const next of graph.stateUpdates.values()) add(next);
  return uses;
}

/**
 * Drops what the rewrite made dead: a node that no live node reads any more, unless its source
 * counterpart was already dead; constants likewise; and anything rules created but nobody reads.
 */
function sweepGarbage(out: Graph, source: Graph, liveOld: ReadonlySet<Value>, preimages: Map<Value, Value[]>, created: Map<Value, number>): Graph {
  const usedOld = usedValues(source);
  const wasDeadBefore = (v: Value) => {
    const olds = preimages.get(v);
    return olds !== undefined && olds.every((o) => !liveOld.has(o));
  };
  const needed = new Set<Value>([...out.outputs, ...out.stateUpdates.values()]);
  const kept: Node[] = [];
  for (let i = out.nodes.length - 1; i >= 0; i--) {
    const node = out.nodes[i];
    // Values a rule emitted as intermediates have no source counterpart: dropped when unread.
    const keep = node.outputs.some((v) => needed.has(v)) || node.outputs.every(wasDeadBefore);
    if (!keep) continue;
    kept.push(node);
    for (const v of node.inputs) needed.add(v);
  }
  out.nodes = kept.reverse();
  for (const v of [...out.constants.keys()]) {
    if (needed.has(v)) continue;
    const olds = preimages.get(v) ?? [];
    if (created.has(v) || olds.some((o) => usedOld.has(o))) out.constants.delete(v);
  }
  return out;
}
