import type { Value } from '../../ir/index.js';
import { Graph, Node } from '../../ir/index.js';
import type { FusedGroup } from '../fusion/partition.js';
import type { Scheduled } from '../lowering/kernel_stages.js';
import { peakLiveBytes } from '../schedule/order.js';
import { groupGraph, pushTo } from './group_graph.js';

/**
 * Recomputation applied to a schedule: each chosen kernel group runs a second time, as an exact
 * copy of itself (the same fused nodes, so the same kernel and the same bits), just before the
 * first of its readers that comes after its split point; those readers read the copy, so the
 * original dies at its last reader before the split. A copy reads the copies of chosen groups
 * it depends on, and the originals of the rest.
 *
 * The graph is rebuilt (never edited: the source graph may be the caller's) in the new run
 * order, and the order is kept as it is: placing each copy right before its reader is the point.
 */
export interface RecomputedSchedule {
  readonly scheduled: Scheduled;
  /** The copies, in run order. */
  readonly copies: readonly FusedGroup[];
  /** Base group → its copy (chosen groups nothing after the split reads have none). */
  readonly copyOf: ReadonlyMap<FusedGroup, FusedGroup>;
  /** Base group → the same group in the new schedule. */
  readonly imageOf: ReadonlyMap<FusedGroup, FusedGroup>;
  /** New group → the base position it runs at (a copy: the position of the group it runs before, less ½). */
  readonly basePosition: ReadonlyMap<FusedGroup, number>;
  /** New group → the base group it copies node for node (its image or its recomputation). */
  readonly baseOf: ReadonlyMap<FusedGroup, FusedGroup>;
}

/** Suffix of the names of recomputed nodes and values. */
export const RECOMPUTE_SUFFIX = '/recompute';

/**
 * @param splits chosen groups (single-output groups of `base.groups`) → the base position after
 *   which their readers read the copy.
 */
export function recompute(base: Scheduled, splits: ReadonlyMap<FusedGroup, number>): RecomputedSchedule {
  const order = base.groups;
  const position = new Map(order.map((g, i) => [g, i]));
  const { producer, readers } = groupGraph(order);

  // Where each copy runs: before its first late reader (an original after the split, or another
  // copy, which reads the copy). Readers come later in the order, so one backward sweep does it.
  const point = new Map<FusedGroup, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const g = order[i];
    const split = splits.get(g);
    if (split === undefined) continue;
    let at = Infinity;
    for (const r of readers.get(g.outputs[0]) ?? []) {
      const copyAt = point.get(r);
      if (copyAt !== undefined) at = Math.min(at, copyAt);
      if (position.get(r)! > split) at = Math.min(at, position.get(r)!);
    }
    if (at < Infinity) point.set(g, at);
  }
  const copiesBefore = new Map<number, FusedGroup[]>();
  for (const [g, at] of point) pushTo(copiesBefore, at, g);
  for (const list of copiesBefore.values()) list.sort((a, b) => position.get(a)! - position.get(b)!);

  const graph = new Graph(base.graph.name);
  const image = new Map<Value, Value>();
  const copyValue = new Map<Value, Value>();
  const source = (v: Value) => {
    const nv = graph.newValue(v.type, v.name);
    image.set(v, nv);
    return nv;
  };
  for (const v of base.graph.inputs) graph.inputs.push(source(v));
  for (const [v, t] of base.graph.constants) graph.constants.set(source(v), t);
  for (const [v, t] of base.graph.states) graph.states.set(source(v), t);

  /** Emits a group's nodes; `read` maps the values it reads from outside itself. */
  const emit = (g: FusedGroup, read: (v: Value) => Value, suffix: string): { group: FusedGroup; values: Map<Value, Value> } => {
    const local = new Map<Value, Value>();
    const made = new Map<Node, Node>();
    for (const n of g.nodes) {
      const node = new Node(graph.newNodeId(), n.op, n.inputs.map((v) => local.get(v) ?? read(v)), [], n.attrs, `${n.name}${suffix}`);
      node.outputs = n.outputs.map((v) => {
        const nv = graph.newValue(v.type, `${v.name}${suffix}`);
        nv.producer = node;
        local.set(v, nv);
        return nv;
      });
      graph.nodes.push(node);
      made.set(n, node);
    }
    const root = made.get(g.root)!;
    return { group: { root, anchor: g.anchor ? made.get(g.anchor)! : null, nodes: g.nodes.map((n) => made.get(n)!), outputs: root.outputs }, values: local };
  };
  const original = (v: Value) => image.get(v)!;
  const copyOrOriginal = (v: Value) => copyValue.get(v) ?? original(v);

  const groups: FusedGroup[] = [];
  const copies: FusedGroup[] = [];
  const copyOf = new Map<FusedGroup, FusedGroup>();
  const imageOf = new Map<FusedGroup, FusedGroup>();
  const basePosition = new Map<FusedGroup, number>();
  const baseOf = new Map<FusedGroup, FusedGroup>();
  order.forEach((g, i) => {
    for (const c of copiesBefore.get(i) ?? []) {
      const { group, values } = emit(c, copyOrOriginal, RECOMPUTE_SUFFIX);
      copyValue.set(c.outputs[0], values.get(c.outputs[0])!);
      groups.push(group);
      copies.push(group);
      copyOf.set(c, group);
      basePosition.set(group, i - 0.5);
      baseOf.set(group, c);
    }
    const late = (v: Value) => {
      const p = producer.get(v);
      const split = p && splits.get(p);
      return split !== undefined && i > split && copyValue.has(v) ? copyValue.get(v)! : original(v);
    };
    const { group, values } = emit(g, late, '');
    for (const [v, nv] of values) image.set(v, nv);
    groups.push(group);
    imageOf.set(g, group);
    basePosition.set(group, i);
    baseOf.set(group, g);
  });
  graph.outputs = base.graph.outputs.map(original);
  for (const [state, next] of base.graph.stateUpdates) graph.stateUpdates.set(original(state), original(next));

  const pinned = new Set<Value>([...graph.outputs, ...graph.stateUpdates.values()]);
  const scheduled: Scheduled = {
    graph,
    groups,
    schedulePeakBytes: peakLiveBytes(groups, pinned, new Set(graph.inputs)),
    originalOrderPeakBytes: base.originalOrderPeakBytes,
  };
  return { scheduled, copies, copyOf, imageOf, basePosition, baseOf };
}
