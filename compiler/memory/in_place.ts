import type { Graph, Value } from '../../ir/index.js';
import { deviceBytesDim } from '../../ir/index.js';
import type { GeneratedKernel, KernelGroup } from '../../targets/wgsl/codegen.js';

/**
 * In-place outputs: a kernel whose every invocation reads an input only at the element it writes
 * may write its output over that input when the input dies there. The output then *is* the input's
 * storage (one binding in the kernel, one lifetime in the arena). A state updated elementwise by
 * the last kernel that reads it is updated in place in the states buffer, with no copy at the end.
 *
 * Returns output value id → the value id whose storage it takes over (followed to the end of
 * chains, so every alias names a real storage owner).
 */
export function findInPlace(graph: Graph, groups: readonly KernelGroup[], kernels: readonly GeneratedKernel[]): Map<number, number> {
  const lastRead = new Map<number, number>();
  kernels.forEach((k, step) => k.bindings.forEach((id) => lastRead.set(id, step)));
  const graphOutputs = new Set(graph.outputs);
  const stateOfUpdate = new Map<Value, Value>([...graph.stateUpdates].map(([state, next]) => [next, state]));
  const updateValues = new Set(graph.stateUpdates.values());
  const byId = new Map<number, Value>();
  for (const v of [...graph.inputs, ...graph.constants.keys(), ...graph.states.keys()]) byId.set(v.id, v);
  for (const n of graph.nodes) for (const v of n.outputs) byId.set(v.id, v);
  // Symbolic sizes compare as canonical expressions: equal at every binding.
  const bytes = (v: Value) => deviceBytesDim(v.type.dtype, v.type.shape);
  // Same bytes is not enough: the shared binding has one WGSL element type.
  const storage = (v: Value) => (v.type.dtype === 'bool' ? 'u32' : v.type.dtype);

  const aliases = new Map<number, number>();
  kernels.forEach((kernel, step) => {
    const candidates = new Set(kernel.elementwiseInputs ?? []);
    for (const out of groups[step].outputs) {
      for (const id of candidates) {
        const input = byId.get(id)!;
        if (bytes(input) !== bytes(out) || storage(input) !== storage(out) || graph.constants.has(input) || lastRead.get(id) !== step) continue;
        if (graph.states.has(input)) {
          // A state may be overwritten only by its own next value, which nobody else reads.
          if (stateOfUpdate.get(out) !== input || graphOutputs.has(out)) continue;
        } else if (graphOutputs.has(input) || updateValues.has(input)) continue;
        aliases.set(out.id, aliases.get(id) ?? id);
        candidates.delete(id);
        break;
      }
    }
  });
  return aliases;
}

/** Ops whose output is their input's bytes under another shape. */
const VIEW_OPS = new Set(['reshape', 'squeeze', 'unsqueeze']);

/**
 * Reshapes need no kernel: a lone reshape/squeeze/unsqueeze of a value in the arena becomes a view
 * of that value's storage (value id → owner id). Views of weights or states, and views that
 * feed a state update, keep their copy (those regions have their own rules).
 */
export function elideViews<G extends KernelGroup>(graph: Graph, groups: readonly G[]): { kernelGroups: G[]; views: Map<number, number> } {
  const updateValues = new Set(graph.stateUpdates.values());
  const views = new Map<number, number>();
  const kernelGroups = groups.filter((g) => {
    const node = g.nodes[0];
    if (g.nodes.length !== 1 || !VIEW_OPS.has(node.op)) return true;
    const [source] = node.inputs;
    const [out] = node.outputs;
    if (graph.constants.has(source) || graph.states.has(source) || updateValues.has(out)) return true;
    views.set(out.id, views.get(source.id) ?? source.id);
    return false;
  });
  return { kernelGroups, views };
}
