import type { Dim, DimFact, Graph, Plan, StaticPlan } from '../../ir/index.js';
import { bindPlan, describeBinding, formatShape } from '../../ir/index.js';
import type { CompileOptions, CompileResult } from '../compile.js';
import { compileWithReport } from '../compile.js';

/** A symbolic plan's sizes as formulas, with their values at one binding. */
export interface SymbolicSummary {
  readonly dims: Readonly<Record<string, DimFact>>;
  /** The binding the numbers are at: the sizes asked for, the representative ones for the rest. */
  readonly at: Readonly<Record<string, number>>;
  readonly inputs: readonly SizedValue[];
  readonly outputs: readonly SizedValue[];
  /** The arena's buffers: bytes as a formula and at the binding, and the steps they live over. */
  readonly arena: readonly { readonly name: string; readonly bytes: Dim; readonly bytesAt: number; readonly start: number; readonly end: number }[];
  /** Each step's workgroup counts as formulas and at the binding. */
  readonly dispatches: readonly { readonly step: number; readonly dispatch: readonly Dim[]; readonly at: readonly number[] }[];
}

export interface SizedValue {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly at: readonly number[];
}

/** The facts `dawnflow inspect --plan` shows, as data (its --json form). */
export interface PlanSummary {
  readonly kernels: number;
  readonly kernelsUnfused: number;
  readonly memory: { readonly naiveBytes: number; readonly arenaBytes: number; readonly lowerBoundBytes: number };
  /** Kernels that recompute values to meet a memory budget (0 without one). */
  readonly recomputedKernels: number;
  readonly schedulePeakBytes: number;
  readonly originalOrderPeakBytes: number;
  readonly groups: readonly { readonly kernel: number; readonly root: string; readonly anchor: string | null; readonly ops: readonly string[]; readonly nodes: readonly string[] }[];
  /** Bytes live in the arena at each schedule step (the memory timeline). */
  readonly liveBytesPerStep: readonly number[];
  /** For a plan with symbolic dims: its formulas, and the binding every number above is at. */
  readonly symbolic?: SymbolicSummary;
}

/** A symbolic plan's formulas and their values at `at` (the representative sizes where not given). */
function summarizeSymbols(plan: Plan, at: Readonly<Record<string, number>>): { summary: SymbolicSummary; bound: StaticPlan } {
  const symbols = plan.symbolic!;
  const binding = { ...symbols.representative, ...Object.fromEntries(Object.entries(at).filter(([n]) => n in symbols.dims)) };
  const bound = bindPlan(plan, binding, { maxWorkgroupsPerDimension: 65535 });
  const sized = (name: string, tensor: number): SizedValue => ({ name, shape: plan.tensors[tensor].shape, at: bound.tensors[tensor].shape });
  return {
    bound,
    summary: {
      dims: symbols.dims,
      at: binding,
      inputs: plan.inputs.map((io) => sized(io.name, io.tensor)),
      outputs: plan.outputs.map((io) => sized(io.name, io.tensor)),
      arena: symbols.arena.map((l) => ({ name: plan.tensors[l.tensor].name, bytes: l.bytes, bytesAt: bound.tensors[l.tensor].bytes, start: l.start, end: l.end })),
      dispatches: plan.steps.map((s, step) => ({ step, dispatch: s.dispatch, at: bound.steps[step].dispatch })),
    },
  };
}

export function summarizePlan(result: CompileResult, kernelsUnfused: number, at: Readonly<Record<string, number>> = {}): PlanSummary {
  const { plan, report } = result;
  const steps = plan.steps.length;
  const live = new Array<number>(steps + 2).fill(0);
  const symbolic = plan.symbolic ? summarizeSymbols(plan, at) : undefined;
  const lifetimes = symbolic ? symbolic.summary.arena.map((l) => ({ ...l, bytes: l.bytesAt })) : report.lifetimes;
  for (const l of lifetimes) {
    for (let s = Math.max(l.start, -1); s <= Math.min(l.end, steps); s++) live[s + 1] += l.bytes;
  }
  return {
    kernels: plan.steps.length,
    kernelsUnfused,
    memory: memoryNumbers(symbolic?.bound.memory ?? plan.memory),
    recomputedKernels: report.recomputed.length,
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
    ...(symbolic ? { symbolic: symbolic.summary } : {}),
  };
}

/**
 * Compiles twice (fusion on and off) and summarizes the fused plan; `onStage` hears the fused
 * compile only, and only it has the memory budget (the unfused one only counts kernels). A plan with symbolic dims is summarized at `at` (its representative sizes where
 * not given).
 */
export function inspectPlan(graph: Graph, options: CompileOptions = {}, at: Readonly<Record<string, number>> = {}): { result: CompileResult; summary: PlanSummary } {
  const result = compileWithReport(graph, options);
  const unfused = compileWithReport(graph, { ...options, fusion: false, onStage: undefined, memoryBudget: undefined }).plan.steps.length;
  return { result, summary: summarizePlan(result, unfused, at) };
}

function factText(f: DimFact): string {
  const parts = [f.min !== undefined || f.max !== undefined ? `${f.min ?? 1}..${f.max ?? ''}` : '', f.multipleOf ? `%${f.multipleOf}` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(' ')})` : '';
}

function symbolicLines(s: SymbolicSummary): string[] {
  const value = (v: SizedValue) => `  ${v.name}: ${formatShape(v.shape)} = ${formatShape(v.at)}`;
  return [
    `symbolic dims: ${Object.entries(s.dims).map(([n, f]) => `${n}${factText(f)}`).join(', ')}; numbers below at ${describeBinding(s.at)}`,
    'inputs:',
    ...s.inputs.map(value),
    'outputs:',
    ...s.outputs.map(value),
    'arena buffers (bytes as formulas = at the binding; steps live):',
    ...s.arena.map((a) => `  ${a.name}: ${a.bytes} = ${a.bytesAt} B, steps ${a.start}..${a.end}`),
  ];
}

function memoryNumbers(m: { readonly naiveBytes: number; readonly arenaBytes: number; readonly lowerBoundBytes: number }) {
  return { naiveBytes: m.naiveBytes, arenaBytes: m.arenaBytes, lowerBoundBytes: m.lowerBoundBytes };
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
    const d = s.symbolic?.dispatches[g.kernel];
    const grid = d && d.dispatch.some((x) => typeof x === 'string') ? ` (workgroups [${d.dispatch.join(', ')}] = [${d.at.join(',')}])` : '';
    lines.push(`  #${g.kernel} ${g.root}${g.anchor ? ` [anchor ${g.anchor}]` : ''}: ${g.ops.join(' → ')}${grid}`);
  }
  if (s.symbolic) lines.push(...symbolicLines(s.symbolic));
  const m = s.memory;
  lines.push(
    'memory:',
    `  naive (every intermediate its own buffer): ${formatBytes(m.naiveBytes)}`,
    `  planned arena:                             ${formatBytes(m.arenaBytes)}`,
    `  lower bound (peak live bytes):             ${formatBytes(m.lowerBoundBytes)}`,
    ...(s.recomputedKernels ? [`  recomputed kernels (memory budget):        ${s.recomputedKernels}`] : []),
    `  arena / lower bound = ${(m.arenaBytes / Math.max(m.lowerBoundBytes, 1)).toFixed(3)}, arena / naive = ${(m.arenaBytes / Math.max(m.naiveBytes, 1)).toFixed(3)}`,
  );
  return lines.join('\n');
}
