import type { Graph } from '../../ir/index.js';
import type { CompileOptions, CompileResult } from '../compile.js';
import { compileWithReport } from '../compile.js';

/** The facts `dawnflow inspect --plan` shows, as data (its --json form). */
export interface PlanSummary {
  readonly kernels: number;
  readonly kernelsUnfused: number;
  readonly memory: { readonly naiveBytes: number; readonly arenaBytes: number; readonly lowerBoundBytes: number };
  readonly schedulePeakBytes: number;
  readonly originalOrderPeakBytes: number;
  readonly groups: readonly { readonly kernel: number; readonly root: string; readonly anchor: string | null; readonly ops: readonly string[]; readonly nodes: readonly string[] }[];
  /** Bytes live in the arena at each schedule step (the memory timeline). */
  readonly liveBytesPerStep: readonly number[];
}

export function summarizePlan(result: CompileResult, kernelsUnfused: number): PlanSummary {
  const { plan, report } = result;
  const steps = plan.steps.length;
  const live = new Array<number>(steps + 2).fill(0);
  for (const l of report.lifetimes) {
    for (let s = Math.max(l.start, -1); s <= Math.min(l.end, steps); s++) live[s + 1] += l.bytes;
  }
  return {
    kernels: plan.steps.length,
    kernelsUnfused,
    memory: { ...plan.memory },
    schedulePeakBytes: report.schedulePeakBytes,
    originalOrderPeakBytes: report.originalOrderPeakBytes,
    groups: report.groups.map((g, i) => ({
      kernel: i,
      root: g.root.name,
      anchor: g.anchor?.name ?? null,
      ops: g.nodes.map((n) => n.op),
      nodes: g.nodes.map((n) => n.name),
    })),
    liveBytesPerStep: live,
  };
}

/** Compiles twice (fusion on and off) and summarizes the fused plan; `onStage` hears the fused compile only. */
export function inspectPlan(graph: Graph, options: CompileOptions = {}): { result: CompileResult; summary: PlanSummary } {
  const result = compileWithReport(graph, options);
  const unfused = compileWithReport(graph, { ...options, fusion: false, onStage: undefined }).plan.steps.length;
  return { result, summary: summarizePlan(result, unfused) };
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** The human-readable form: kernels with their ops in schedule order, then the memory numbers. */
export function formatPlanSummary(s: PlanSummary): string {
  const lines = [`kernels: ${s.kernels} (unfused: ${s.kernelsUnfused})`, 'schedule:'];
  for (const g of s.groups) {
    lines.push(`  #${g.kernel} ${g.root}${g.anchor ? ` [anchor ${g.anchor}]` : ''}: ${g.ops.join(' → ')}`);
  }
  const m = s.memory;
  lines.push(
    'memory:',
    `  naive (every intermediate its own buffer): ${formatBytes(m.naiveBytes)}`,
    `  planned arena:                             ${formatBytes(m.arenaBytes)}`,
    `  lower bound (peak live bytes):             ${formatBytes(m.lowerBoundBytes)}`,
    `  arena / lower bound = ${(m.arenaBytes / Math.max(m.lowerBoundBytes, 1)).toFixed(3)}, arena / naive = ${(m.arenaBytes / Math.max(m.naiveBytes, 1)).toFixed(3)}`,
  );
  return lines.join('\n');
}
