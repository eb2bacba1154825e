import type { Node, Value } from '../../../ir/index.js';
import type { Expr } from '../expr.js';
import { convert, literal } from '../expr.js';
import type { KernelBuilder, TensorAccess } from '../kernel_builder.js';
import type { KernelGroup } from '../kernel_types.js';
import { getLowering } from '../lowering.js';

/**
 * Lowers a group around its anchor for a template: every node but the anchor lowers as usual;
 * the anchor's output becomes a register the template sets (`setCurrent`) before evaluating the
 * epilogue at one output element. Fusion guarantees the epilogue reads the anchor elementwise.
 */
export interface AnchoredGroup {
  /** The anchor's inputs, as accesses (with their fused prologues). */
  readonly anchorInputs: readonly TensorAccess[];
  /** The group output's access (the epilogue applied to the anchor's register). */
  readonly root: TensorAccess;
  setCurrent(value: Expr): void;
}

/** Lowers every node of a group as usual; returns the output's access. */
export function lowerGroup(b: KernelBuilder, group: KernelGroup): TensorAccess {
  const accesses = lowerNodes(b, group, null);
  return accesses.get(group.outputs[0])!;
}

/** Lowers the group's nodes in order (the anchor through `onAnchor` when given); all their accesses. */
export function lowerNodes(b: KernelBuilder, group: KernelGroup, anchor: Node | null, onAnchor?: (inputs: TensorAccess[]) => TensorAccess): Map<Value, TensorAccess> {
  const inGroup = new Set(group.nodes.flatMap((n) => n.outputs));
  const accesses = new Map<Value, TensorAccess>();
  const access = (v: Value): TensorAccess => {
    let a = accesses.get(v);
    if (!a) {
      if (inGroup.has(v)) throw new Error(`codegen: ${v} used before it is computed`);
      a = b.loadAccess(v.id, v.type.dtype, v.type.shape);
      accesses.set(v, a);
    }
    return a;
  };
  for (const node of group.nodes) {
    if (node === anchor && onAnchor) {
      accesses.set(node.outputs[0], onAnchor(node.inputs.map(access)));
      continue;
    }
    const where = `${node.op} '${node.name}'`;
    const lowered = getLowering(node.op, where)({
      b,
      node,
      inputs: node.inputs.map(access),
      outputs: node.outputs.map((v) => ({ dtype: v.type.dtype, shape: v.type.shape })),
      where,
    });
    node.outputs.forEach((v, i) => accesses.set(v, lowered[i]));
  }
  return accesses;
}

export function lowerAroundAnchor(b: KernelBuilder, group: KernelGroup, anchor: Node): AnchoredGroup {
  const out = anchor.outputs[0];
  let current: Expr = literal(0, 'f32');
  let anchorInputs: TensorAccess[] = [];
  const accesses = lowerNodes(b, group, anchor, (inputs) => {
    anchorInputs = inputs;
    return { dtype: out.type.dtype, shape: out.type.shape, at: () => convert(current, out.type.dtype) };
  });
  return {
    anchorInputs,
    root: accesses.get(group.outputs[0])!,
    setCurrent: (value) => {
      current = value;
    },
  };
}

/**
 * Inputs of a tiled kernel's epilogue read only at the elements the invocation stores (never by
 * the anchor's reduction): the output may take over their storage.
 */
export function epilogueInPlace(b: KernelBuilder, anchor: Node, stored: readonly (readonly string[])[]): number[] {
  const operands = new Set(anchor.inputs.map((v) => v.id));
  return b.readsOnlyAt(stored).filter((id) => !operands.has(id));
}
