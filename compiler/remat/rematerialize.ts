import type { Value } from '../../ir/index.js';
import { formatShape, isStaticShape, OutOfMemoryError, slotBytes, UsageError } from '../../ir/index.js';
import type { FusedGroup } from '../fusion/partition.js';
import { generateKernel } from '../../targets/wgsl/codegen.js';
import type { KernelGenerator, Rematerialized, Scheduled } from '../lowering/kernel_stages.js';
import { codegen, elideViewKernels, writeInPlace } from '../lowering/kernel_stages.js';
import { computeLifetimes } from '../lowering/lifetimes.js';
import type { LoweringOptions } from '../lowering/options.js';
import type { Packed } from '../lowering/placement.js';
import { pack } from '../lowering/placement.js';
import { regionOf, valueBytes } from '../lowering/values.js';
import { elideViews } from '../memory/in_place.js';
import { groupInputs } from '../schedule/order.js';
import { formatBytes } from './byte_size.js';
import { groupFlops } from './cost.js';
import { groupGraph, pushTo } from './group_graph.js';
import { KernelCache } from './kernel_cache.js';
import type { RecomputedSchedule } from './recompute.js';
import { recompute } from './recompute.js';

/**
 * Rematerialization to a memory budget (`CompileOptions.memoryBudget`): when the planned arena
 * exceeds the budget, values that are live across the memory peak are computed a second time
 * after it, for their readers there, instead of being kept (in a training step: activations the
 * backward pass reads, recomputed when it reaches them).
 *
 * It runs on the schedule, between `schedule` and `views`, for two reasons. The unit recomputed
 * is a fused kernel group, copied node for node: the copy is the same kernel as the original,
 * so a recomputed value has the same bits. And "after the peak" is a place in the run order: the
 * copy runs right before its first late reader, and the order is kept as built.
 *
 * The search is greedy with a check: plan the rest of the lowering (views, kernels, in-place,
 * lifetimes, packing) to measure the arena; find the step where the most bytes are live; rank
 * the values live across it by bytes saved per FLOP recomputed (the bytes the value holds, less
 * those of inputs its copy would keep alive past the peak); take the best ones, none reading
 * another (a copy reading a copy recomputes a chain), until their savings cover the excess, and
 * measure again. A choice that does not shrink the plan is undone, tried alone, and dropped if
 * it still does not help. When nothing is left to try and the arena still exceeds the budget,
 * the budget is refused with the smallest arena reached: an OutOfMemoryError naming both.
 */

/**
 * The arena the rest of the lowering would plan for a schedule (the stages after this one, up to
 * packing); `generate` gives its kernels (a search's trials take them from its KernelCache).
 */
export function measureArena(scheduled: Scheduled, options: LoweringOptions, generate: KernelGenerator = generateKernel): Packed {
  const generated = codegen(elideViewKernels({ ...scheduled, recomputed: [] }, options), options, generate);
  return pack(computeLifetimes(writeInPlace(generated, options, generate), options), options);
}

/** One tried plan: the recomputations, the schedule they make and what it measures. */
interface Trial {
  readonly splits: ReadonlyMap<FusedGroup, number>;
  readonly schedule: RecomputedSchedule | null;
  readonly measured: Packed;
  readonly profile: LiveProfile;
}

/** @param cacheKernels off: every trial generates all its kernels (the cache's oracle in test/remat). */
export function rematerialize(input: Scheduled, options: LoweringOptions, cacheKernels = true): Rematerialized {
  const budget = options.memoryBudget;
  if (budget === undefined) return { ...input, recomputed: [] };
  // A budget is bytes: planning within it needs every size (a symbolic plan's arena is a formula).
  const symbolic = input.groups.flatMap((g) => g.outputs).concat(input.graph.inputs).find((v) => !isStaticShape(v.type.shape));
  if (symbolic) throw new UsageError(`memoryBudget: '${symbolic.name}' has symbolic shape ${formatShape(symbolic.type.shape)}; give its dims sizes to plan within a budget`);
  const alignment = options.limits.minStorageBufferOffsetAlignment;
  const kernels = new KernelCache();
  const measure = (splits: ReadonlyMap<FusedGroup, number>): Trial => {
    const schedule = splits.size ? recompute(input, splits) : null;
    const generate = cacheKernels ? kernels.forTrial((g) => (schedule ? schedule.baseOf.get(g)! : g)) : generateKernel;
    const measured = measureArena(schedule?.scheduled ?? input, options, generate);
    return { splits, schedule, measured, profile: liveProfile(measured, alignment) };
  };
  let best = measure(new Map());
  const unconstrained = best.measured.layout.arenaBytes;
  const planner = new RecomputePlanner(input, alignment);
  const dropped = new Set<FusedGroup>();
  while (best.measured.layout.arenaBytes > budget) {
    const found = planner.candidates(best);
    const candidates = found.candidates.filter((c) => !dropped.has(c.group));
    if (candidates.length === 0) {
      throw new OutOfMemoryError(
        `memory budget ${formatBytes(budget)} cannot be met: with every useful recomputation the arena still needs ${formatBytes(best.measured.layout.arenaBytes)} (${formatBytes(unconstrained)} without recomputation)`,
      );
    }
    const batch = independent(candidates, best.measured.layout.arenaBytes - budget);
    const tried = [batch, ...(batch.length > 1 ? [[candidates[0]]] : [])];
    let improved = false;
    for (const choice of tried) {
      const trial = measure(planner.withSplits(best.splits, choice, found.split));
      if (smaller(trial.profile, best.profile)) {
        best = trial;
        improved = true;
        break;
      }
    }
    if (!improved) dropped.add(candidates[0].group);
  }
  if (!best.schedule) return { ...input, recomputed: [] };
  const kept = new Set(best.measured.groups);
  return { ...best.schedule.scheduled, recomputed: best.schedule.copies.filter((g) => kept.has(g)) };
}

interface Candidate {
  readonly group: FusedGroup;
  /** Estimated bytes the peak loses. */
  readonly saves: number;
  readonly ratio: number;
  /** Groups whose values it reads or that read its value: recomputing both chains the copies. */
  readonly neighbours: ReadonlySet<FusedGroup>;
}

/** The best candidates, none a neighbour of another, until their savings cover `excess`. */
function independent(candidates: readonly Candidate[], excess: number): Candidate[] {
  const taken: Candidate[] = [];
  const blocked = new Set<FusedGroup>();
  let covered = 0;
  for (const c of candidates) {
    if (blocked.has(c.group)) continue;
    taken.push(c);
    for (const n of c.neighbours) blocked.add(n);
    covered += c.saves;
    if (covered >= excess) break;
  }
  return taken;
}

/** Where the arena's live bytes peak, and how wide the peak is. */
interface LiveProfile {
  readonly arenaBytes: number;
  readonly peakBytes: number;
  /** Kernel steps at which the peak is reached. */
  readonly stepsAtPeak: number;
  /** The first such step (-1: before the first kernel; the kernel count: after the last). */
  readonly peakStep: number;
}

function liveProfile(measured: Packed, alignment: number): LiveProfile {
  const steps = measured.groups.length;
  const live = new Array<number>(steps + 2).fill(0);
  for (const l of measured.lifetimes) {
    const size = slotBytes(l.bytes, alignment);
    for (let s = Math.max(l.start, -1); s <= Math.min(l.end, steps); s++) live[s + 1] += size;
  }
  const peakBytes = Math.max(...live);
  const first = live.indexOf(peakBytes);
  return { arenaBytes: measured.layout.arenaBytes, peakBytes, stepsAtPeak: live.filter((b) => b === peakBytes).length, peakStep: first - 1 };
}

/** A plan is better when its arena is smaller, else its peak lower, else its peak narrower. */
function smaller(a: LiveProfile, b: LiveProfile): boolean {
  return (a.arenaBytes - b.arenaBytes || a.peakBytes - b.peakBytes || a.stepsAtPeak - b.stepsAtPeak) < 0;
}

/**
 * Whether a value's own bytes are live across a step: its storage is live before and after it,
 * and no kernel has written another value over it in place by then (recomputing a value whose
 * storage holds its successor at the peak frees nothing; one written over a dead input is fine).
 */
function occupancyAt(measured: Packed, step: number): (v: Value) => boolean {
  const spans = new Map(measured.lifetimes.map((l) => [l.key, l]));
  const writtenAt = new Map<number, number>();
  measured.groups.forEach((g, at) => g.outputs.forEach((v) => writtenAt.set(v.id, at)));
  /** Storage owner → the value it holds at the step, where that is not the owner's own. */
  const occupant = new Map<number, { id: number; at: number }>();
  for (const [id, owner] of measured.aliases) {
    const at = writtenAt.get(id);
    if (measured.views.has(id) || at === undefined || at > step) continue;
    if (at > (occupant.get(owner)?.at ?? -Infinity)) occupant.set(owner, { id, at });
  }
  return (v) => {
    const owner = measured.aliases.get(v.id) ?? v.id;
    const span = spans.get(owner);
    if (!span || span.start >= step || span.end <= step) return false;
    const holder = measured.views.has(v.id) ? owner : v.id;
    return (occupant.get(owner)?.id ?? owner) === holder;
  };
}

/** What can be recomputed in a base schedule, and at what price. */
class RecomputePlanner {
  readonly #base: Scheduled;
  readonly #alignment: number;
  readonly #position: Map<FusedGroup, number>;
  readonly #producer: ReadonlyMap<Value, FusedGroup>;
  readonly #readers: ReadonlyMap<Value, readonly FusedGroup[]>;
  /** Lone reshapes (views, no kernel of their own) reading each value: recomputed with it. */
  readonly #viewsOf = new Map<Value, FusedGroup[]>();
  readonly #views = new Set<FusedGroup>();
  readonly #pinned: Set<Value>;

  constructor(base: Scheduled, alignment: number) {
    this.#base = base;
    this.#alignment = alignment;
    this.#position = new Map(base.groups.map((g, i) => [g, i]));
    const { producer, readers } = groupGraph(base.groups);
    this.#producer = producer;
    this.#readers = readers;
    const kernels = new Set(elideViews(base.graph, base.groups).kernelGroups);
    for (const g of base.groups) {
      if (kernels.has(g)) continue;
      const source = g.nodes[0].inputs[0];
      this.#views.add(g);
      pushTo(this.#viewsOf, source, g);
    }
    this.#pinned = new Set([...base.graph.outputs, ...base.graph.stateUpdates.values()]);
  }

  /**
   * The values live across the peak of `trial` that could be recomputed after it, best first,
   * and the split they would use: the peak's position in the base schedule (for a copy, the
   * position of the group it runs before, less ½).
   */
  candidates(trial: Trial): { split: number; candidates: Candidate[] } {
    const { measured, schedule, splits } = trial;
    const peak = trial.profile.peakStep;
    if (peak < 0 || peak >= measured.groups.length) return { split: NaN, candidates: [] };
    const peakGroup = measured.groups[peak];
    const split = schedule ? schedule.basePosition.get(peakGroup)! : this.#position.get(peakGroup)!;
    const imageOf = (g: FusedGroup) => (schedule ? schedule.imageOf.get(g)! : g);
    const imageOfValue = (u: Value) => {
      const from = this.#producer.get(u);
      if (from) return imageOf(from).outputs[from.outputs.indexOf(u)];
      return schedule ? schedule.scheduled.graph.inputs[this.#base.graph.inputs.indexOf(u)] : u;
    };
    const holdsAtPeak = occupancyAt(measured, peak);
    const slot = (v: Value) => slotBytes(valueBytes(v) as number, this.#alignment); // static: checked on entry

    const candidates: Candidate[] = [];
    for (const g of this.#base.groups) {
      const [v] = g.outputs;
      if (splits.has(g) || this.#views.has(g) || g.outputs.length !== 1 || this.#pinned.has(v) || this.#position.get(g)! >= split) continue;
      const image = imageOf(g).outputs[0];
      if (!holdsAtPeak(image)) continue;
      let saves = slot(v);
      const neighbours = new Set<FusedGroup>();
      for (const u of groupInputs(g)) {
        const from = this.#producer.get(u);
        if (from) neighbours.add(this.#sourceOf(from));
        if (regionOf(this.#base.graph, u) !== 'arena' || (from && splits.has(from))) continue;
        if (!holdsAtPeak(imageOfValue(u))) saves -= slot(u);
      }
      for (const reader of this.#readersThroughViews(v)) neighbours.add(reader);
      if (saves > 0) candidates.push({ group: g, saves, ratio: saves / Math.max(1, groupFlops(g)), neighbours });
    }
    candidates.sort((a, b) => b.ratio - a.ratio || this.#position.get(a.group)! - this.#position.get(b.group)!);
    return { split, candidates };
  }

  /** `splits` plus the chosen groups (and the views of their values) recomputed after `split`. */
  withSplits(splits: ReadonlyMap<FusedGroup, number>, chosen: readonly Candidate[], split: number): Map<FusedGroup, number> {
    const next = new Map(splits);
    const add = (g: FusedGroup) => {
      if (next.has(g)) return;
      next.set(g, split);
      for (const view of this.#viewsOf.get(g.outputs[0]) ?? []) add(view);
    };
    for (const c of chosen) add(c.group);
    return next;
  }

  /** The kernel a value really comes from: through views to the group they view. */
  #sourceOf(g: FusedGroup): FusedGroup {
    if (!this.#views.has(g)) return g;
    const from = this.#producer.get(g.nodes[0].inputs[0]);
    return from ? this.#sourceOf(from) : g;
  }

  /** The kernels reading a value, directly or through its views. */
  #readersThroughViews(v: Value): FusedGroup[] {
    return (this.#readers.get(v) ?? []).flatMap((r) => (this.#views.has(r) ? this.#readersThroughViews(r.outputs[0]) : [r]));
  }
}
