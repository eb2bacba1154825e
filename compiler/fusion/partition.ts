import type { Graph, Node, Value } from '../../ir/index.js';
import { getOp, shapesEqual } from '../../ir/index.js';
import type { KernelGroup } from '../../targets/wgsl/codegen.js';

/**
 * Operator fusion by pattern category (TVM's FuseOps, in the form our codegen wants).
 *
 * Codegen evaluates a group lazily from its root: the root's value at each output element pulls
 * its inputs' values through their accesses. So fusing a node means *inlining* it into its
 * consumer. A node is inlined when that costs no extra work or memory traffic:
 * - elementwise / broadcast / injective nodes with a single consumer inline into it (prologues,
 *   elementwise chains, layout ops turned into index arithmetic);
 * - a reduction or contraction (the group's anchor, at most one per group) inlines only along an
 *   identity path: every node between it and the root reads it at the same coordinates, once
 *   per output element (epilogues: bias, activation, residual add, scale).
 * Everything else (several consumers, graph outputs, state updates, multi-output and opaque ops)
 * is materialized: the root of its own group.
 */
export interface FusedGroup extends KernelGroup {
  readonly root: Node;
  /** The reduction/contraction whose loops shape the kernel, if any. */
  readonly anchor: Node | null;
}

function isAnchor(node: Node): boolean {
  const c = getOp(node.op).category;
  return c === 'reduction' || c === 'contraction';
}

/**
 * What a contraction may read through inlined producers: pure index arithmetic and casts. A
 * contraction reads each input element many times (K taps, N columns), so anything costlier is
 * computed once into memory instead (it is usually the epilogue of its own producer anyway).
 */
const CHEAP_PROLOGUE = new Set(['reshape', 'transpose', 'squeeze', 'unsqueeze', 'expand', 'slice', 'identity', 'cast']);

function isPointwise(node: Node): boolean {
  const c = getOp(node.op).category;
  return c === 'elementwise' || c === 'broadcast';
}

/**
 * @param maxBindings the device's storage buffers per shader stage: a group never grows past
 *   it (its external inputs plus its outputs each take a binding).
 */
export function partitionIntoKernels(graph: Graph, fuse = true, maxBindings = 8): FusedGroup[] {
  const order = new Map<Node, number>(graph.nodes.map((n, i) => [n, i]));
  const users = graph.users();
  const kept = new Set<Value>([...graph.outputs, ...graph.stateUpdates.values()]);
  const groupOf = new Map<Node, { root: Node; anchor: Node | null; members: Node[]; external: Set<Value> }>();
  /** Whether the root reads this node's output at the node's own coordinates, once. */
  const identityToRoot = new Map<Node, boolean>();

  const inlineTarget = (node: Node): Node | null => {
    if (!fuse || node.outputs.length !== 1) return null;
    const v = node.outputs[0];
    if (kept.has(v)) return null;
    const consumers = [...new Set(users.get(v) ?? [])];
    if (consumers.length !== 1) return null;
    const consumer = consumers[0];
    const category = getOp(node.op).category;
    if (category === 'opaque' || getOp(consumer.op).category === 'opaque') return null;
    const group = groupOf.get(consumer)!;
    if (getOp(consumer.op).category === 'contraction' && !CHEAP_PROLOGUE.has(node.op)) return null;
    const external = new Set(group.external);
    external.delete(v);
    for (const input of node.inputs) external.add(input);
    if (external.size + group.root.outputs.length > maxBindings) return null;
    if (!isAnchor(node)) return consumer;
    const identity = identityToRoot.get(consumer)! && isPointwise(consumer) && shapesEqual(v.type.shape, consumer.outputs[0].type.shape);
    return identity && group.anchor === null ? consumer : null;
  };

  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    const target = inlineTarget(node);
    if (target) {
      const group = groupOf.get(target)!;
      group.members.push(node);
      group.external.delete(node.outputs[0]);
      for (const input of node.inputs) group.external.add(input);
      if (isAnchor(node)) group.anchor = node;
      groupOf.set(node, group);
      identityToRoot.set(
        node,
        identityToRoot.get(target)! && isPointwise(target) && shapesEqual(node.outputs[0].type.shape, target.outputs[0].type.shape),
      );
    } else {
      groupOf.set(node, { root: node, anchor: isAnchor(node) ? node : null, members: [node], external: new Set(node.inputs) });
      identityToRoot.set(node, true);
    }
  }

  const groups = [...new Set(groupOf.values())];
  groups.sort((a, b) => order.get(a.root)! - order.get(b.root)!);
  return groups.map((g) => ({
    root: g.root,
    anchor: g.anchor,
    nodes: g.members.sort((a, b) => order.get(a)! - order.get(b)!),
    outputs: g.root.outputs,
  }));
}
