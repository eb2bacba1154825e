import type { Value } from '../../ir/index.js';
import type { CodegenOptions, GeneratedKernel, KernelGroup } from '../../targets/wgsl/codegen.js';
import { generateKernel } from '../../targets/wgsl/codegen.js';
import type { FusedGroup } from '../fusion/partition.js';
import type { KernelGenerator } from '../lowering/kernel_stages.js';

/**
 * The kernels of a rematerialization search's trials, each generated once. Every group of a
 * trial schedule is a node-for-node copy of a group of the base schedule (recompute.ts: the same
 * ops, attributes and value types; fresh values, so fresh ids), and code generation reads a group
 * through those, through which of its values are the same value, and through which of them the
 * target aliases to which storage. Value ids reach the kernel only as binding keys and in-place
 * candidates. So a trial's kernel is the kernel of its base group under the same alias pattern,
 * with those ids renamed, and the search need not generate WGSL again for every trial (the remat
 * example's training step at half its arena: 4 trials of some 300 kernels, 1790 kernels generated
 * without the cache, 441 with it).
 *
 * One cache serves one search: the targets it is asked for differ only in their aliases (a
 * target that differs otherwise is generated afresh, not served from the cache).
 */
export class KernelCache {
  /** Base group → alias pattern → its kernel in slot terms (null: a binding the slots do not name; never cached). */
  readonly #kernels = new Map<FusedGroup, Map<string, SlotKernel | null>>();
  #target: CodegenOptions | undefined;
  /** Targets already compared with the first (each stage of a trial makes one). */
  readonly #checked = new WeakMap<CodegenOptions, boolean>();
  #generated = 0;
  #reused = 0;

  /** Kernels generated, and kernels served renamed from an earlier one. */
  get counts(): { readonly generated: number; readonly reused: number } {
    return { generated: this.#generated, reused: this.#reused };
  }

  /** The generator for one trial's stages: `baseOf` names the base group each of its groups copies. */
  forTrial(baseOf: (group: FusedGroup) => FusedGroup): KernelGenerator {
    return (group, target) => this.kernel(baseOf(group), group, target);
  }

  kernel(base: FusedGroup, group: FusedGroup, target: CodegenOptions): GeneratedKernel {
    if (!this.#sameTarget(target)) return generateKernel(group, target);
    const slots = slotsOf(group);
    const { pattern, externals } = aliasPattern(slots, target.aliases);
    let byPattern = this.#kernels.get(base);
    if (!byPattern) this.#kernels.set(base, (byPattern = new Map()));
    const cached = byPattern.get(pattern);
    if (cached && cached.slotCount === slots.length) {
      this.#reused++;
      return renamed(cached, slots, externals);
    }
    this.#generated++;
    const kernel = generateKernel(group, target);
    if (cached === undefined) byPattern.set(pattern, inSlotTerms(kernel, slots, externals));
    return kernel;
  }

  /** Whether `target` is the first target asked for, its aliases apart. */
  #sameTarget(target: CodegenOptions): boolean {
    let same = this.#checked.get(target);
    if (same === undefined) {
      const first = (this.#target ??= target);
      const keys = new Set([...Object.keys(first), ...Object.keys(target)]);
      keys.delete('aliases');
      same = [...keys].every((k) => first[k as keyof CodegenOptions] === target[k as keyof CodegenOptions]);
      this.#checked.set(target, same);
    }
    return same;
  }
}

/**
 * A kernel with its value ids as tokens: a slot's index (0, 1, ...), or an external alias target
 * as its bitwise complement (~0, ~1, ...: negative).
 */
interface SlotKernel {
  readonly kernel: GeneratedKernel;
  readonly slotCount: number;
  readonly bindings: readonly number[];
  readonly elementwiseInputs: readonly number[] | undefined;
}

/** The group's values in node order (each node's inputs, then its outputs), each once: copies of a group list them alike. */
function slotsOf(group: KernelGroup): Value[] {
  const seen = new Set<Value>();
  for (const n of group.nodes) {
    for (const v of n.inputs) seen.add(v);
    for (const v of n.outputs) seen.add(v);
  }
  return [...seen];
}

/**
 * Which slot the target aliases to which storage, as a string: another slot (`s2`), a value
 * outside the group (`e0`: the first such, numbered in slot order), or none. `externals` lists
 * those outside values' ids.
 */
function aliasPattern(slots: readonly Value[], aliases: ReadonlyMap<number, number> | undefined): { pattern: string; externals: number[] } {
  const externals: number[] = [];
  if (!aliases?.size) return { pattern: '', externals };
  const slotOf = new Map(slots.map((v, i) => [v.id, i]));
  const parts = slots.map((v) => {
    const to = aliases.get(v.id);
    if (to === undefined) return '';
    const slot = slotOf.get(to);
    if (slot !== undefined) return `s${slot}`;
    const known = externals.indexOf(to);
    return `e${known >= 0 ? known : externals.push(to) - 1}`;
  });
  return { pattern: parts.join(','), externals };
}

function inSlotTerms(kernel: GeneratedKernel, slots: readonly Value[], externals: readonly number[]): SlotKernel | null {
  const slotOf = new Map(slots.map((v, i) => [v.id, i]));
  const token = (id: number): number | undefined => slotOf.get(id) ?? (externals.includes(id) ? ~externals.indexOf(id) : undefined);
  const bindings = kernel.bindings.map(token);
  const elementwiseInputs = kernel.elementwiseInputs?.map(token);
  if (bindings.includes(undefined) || elementwiseInputs?.includes(undefined)) return null;
  return { kernel, slotCount: slots.length, bindings: bindings as number[], elementwiseInputs: elementwiseInputs as number[] | undefined };
}

function renamed(cached: SlotKernel, slots: readonly Value[], externals: readonly number[]): GeneratedKernel {
  const id = (token: number) => (token >= 0 ? slots[token].id : externals[~token]);
  const kernel: GeneratedKernel = { ...cached.kernel, bindings: cached.bindings.map(id) };
  return cached.elementwiseInputs ? { ...kernel, elementwiseInputs: cached.elementwiseInputs.map(id) } : kernel;
}
