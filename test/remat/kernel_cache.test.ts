import { describe, expect, it } from 'vitest';
import { compileWithReport } from '../../compiler/compile.js';
import type { FusedGroup } from '../../compiler/fusion/partition.js';
import type { Scheduled } from '../../compiler/lowering/kernel_stages.js';
import { LOWERING } from '../../compiler/lowering/lowering.js';
import { codegenOptions, resolveOptions } from '../../compiler/lowering/options.js';
import { KernelCache } from '../../compiler/remat/kernel_cache.js';
import { recompute } from '../../compiler/remat/recompute.js';
import { measureArena, rematerialize } from '../../compiler/remat/rematerialize.js';
import { buildTrainingGraph } from '../../compiler/train/index.js';
import { generateKernel } from '../../targets/wgsl/codegen.js';
import spec from '../../examples/remat.js';
import { rng } from '../helpers/random.js';

/**
 * The rematerialization search's kernel cache, against the uncached path as oracle: a trial's
 * kernels served renamed from earlier trials are the kernels code generation gives it, and the
 * search, hence the plan, comes out the same with the cache as without it.
 */

const { graph } = buildTrainingGraph(spec);
const budget = Math.floor(compileWithReport(graph).plan.memory.arenaBytes / 2);
const options = resolveOptions({ memoryBudget: budget });
let captured: Scheduled | undefined;
compileWithReport(graph, {
  memoryBudget: budget,
  onStage: (event) => {
    if (event.name === 'schedule') captured = event.value as Scheduled;
  },
});
const scheduled = captured!;

/** The plan the stages after `rematerialize` make of its result. */
function lowerFromRemat(cacheKernels: boolean): string {
  const start = LOWERING.findIndex((s) => s.name === 'rematerialize');
  let value: unknown = rematerialize(scheduled, options, cacheKernels);
  for (const stage of LOWERING.slice(start + 1)) value = stage.run(value as never, options);
  return JSON.stringify((value as { plan: unknown }).plan);
}

describe('rematerialization kernel cache', () => {
  it('plans the same with the cache as without it', () => {
    const fresh = rematerialize(scheduled, options, false);
    const cached = rematerialize(scheduled, options, true);
    const names = (groups: readonly FusedGroup[]) => groups.map((g) => g.nodes.map((n) => n.name).join(','));
    expect(fresh.recomputed.length).toBeGreaterThan(0);
    expect(names(cached.recomputed)).toEqual(names(fresh.recomputed));
    expect(names(cached.groups)).toEqual(names(fresh.groups));
    const plan = lowerFromRemat(true);
    expect(plan).toBe(lowerFromRemat(false));
    // And it is the plan compile makes (which searches with the cache).
    expect(plan).toBe(JSON.stringify(compileWithReport(graph, { memoryBudget: budget }).plan));
  });

  it('serves each trial the kernels code generation gives it, ids renamed', () => {
    const random = rng(21);
    const eligible = scheduled.groups.map((g, i) => [g, i] as const).filter(([g]) => g.outputs.length === 1 && g.nodes[0].op !== 'reshape');
    const cache = new KernelCache();
    let aliased = 0;
    for (let trial = 0; trial < 8; trial++) {
      // Random recomputations, each split somewhere after its group (the search's trials are such schedules).
      const splits = new Map<FusedGroup, number>();
      for (const [g, i] of eligible) if (random() < 0.15) splits.set(g, i + Math.floor(random() * (scheduled.groups.length - i)));
      const schedule = recompute(scheduled, splits);
      const fresh = measureArena(schedule.scheduled, options);
      const served = measureArena(schedule.scheduled, options, cache.forTrial((g) => schedule.baseOf.get(g)!));
      expect(served.kernels).toEqual(fresh.kernels);
      expect([...served.aliases]).toEqual([...fresh.aliases]);
      expect(served.layout.arenaBytes).toBe(fresh.layout.arenaBytes);
      aliased += fresh.aliases.size;
    }
    // The trials reached kernels with views and in-place outputs, and most kernels came from the cache.
    expect(aliased).toBeGreaterThan(0);
    const { generated, reused } = cache.counts;
    expect(reused).toBeGreaterThan(3 * generated);
  });

  it('generates afresh for a target that differs in more than its aliases', () => {
    const cache = new KernelCache();
    const target = codegenOptions(options);
    const group = scheduled.groups.find((g) => g.anchor)!;
    cache.kernel(group, group, target);
    const other = { ...target, workgroupSize: 128 };
    expect(cache.kernel(group, group, other)).toEqual(generateKernel(group, other));
    expect(cache.counts).toEqual({ generated: 1, reused: 0 });
    expect(cache.kernel(group, group, { ...target, aliases: new Map() })).toEqual(generateKernel(group, target));
    expect(cache.counts).toEqual({ generated: 1, reused: 1 });
  });
});
