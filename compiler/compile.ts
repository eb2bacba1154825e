import type { Graph, Plan } from '../ir/index.js';
import type { FusedGroup } from './fusion/partition.js';
import type { ArenaLayout, Lifetime } from './memory/arena.js';
import { lower } from './lowering/lowering.js';
import type { CompileOptions } from './lowering/options.js';

export type { CompileOptions, TargetLimits } from './lowering/options.js';
export { DEFAULT_LIMITS } from './lowering/options.js';

/** What the compiler did, for `dawnflow inspect --plan` and the tests that assert structure. */
export interface CompileReport {
  readonly graph: Graph;
  readonly groups: readonly FusedGroup[];
  readonly lifetimes: readonly Lifetime[];
  readonly layout: ArenaLayout;
  readonly schedulePeakBytes: number;
  readonly originalOrderPeakBytes: number;
  /** Kernels that recompute values to meet the memory budget (compiler/remat). */
  readonly recomputed: readonly FusedGroup[];
}

export interface CompileResult {
  readonly plan: Plan;
  readonly report: CompileReport;
}

/** Graph → Plan through the stages of `LOWERING` (compiler/lowering/lowering.ts). */
export function compile(source: Graph, options: CompileOptions = {}): Plan {
  return lower(source, options).plan;
}

export function compileWithReport(source: Graph, options: CompileOptions = {}): CompileResult {
  const { plan, graph, groups, lifetimes, layout, schedulePeakBytes, originalOrderPeakBytes, recomputed } = lower(source, options);
  return { plan, report: { graph, groups, lifetimes, layout, schedulePeakBytes, originalOrderPeakBytes, recomputed } };
}
