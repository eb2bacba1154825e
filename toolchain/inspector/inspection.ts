import type { Graph, Plan, PlanRequirements, StaticPlan } from '../../ir/index.js';
import { asStaticPlan, bindPlan, formatType } from '../../ir/index.js';
import type { CompileResult } from '../../compiler/compile.js';
import type { PlanSummary } from '../../compiler/report/plan_report.js';
import { type GraphView, graphView, type NodeView, nodeView } from './views.js';

/**
 * Everything the inspector page shows, as plain data: built from a compile (a model or a DSL
 * module: the graph before and after the passes, the fused groups) or from an artifact's plan
 * alone (no graph: an artifact keeps only what runs). The page is rendered from this, and
 * embeds it as JSON.
 */

export interface BoundTensor {
  readonly name: string;
  readonly type: string;
  readonly region: string;
  readonly offset: number;
  readonly bytes: number;
}

export interface StepView {
  readonly step: number;
  /** Index into `kernels`. */
  readonly kernel: number;
  /** The plan's label: `op 'name'` of each node the kernel computes. */
  readonly label: string;
  /** The fused nodes (known when compiled from a graph). */
  readonly members?: readonly NodeView[];
  readonly anchor?: string | null;
  readonly dispatch: readonly [number, number, number];
  readonly tensors: readonly BoundTensor[];
  /** Multiply-adds ×2 of its contraction, as the plan counts them (static sizes only). */
  readonly flops?: number;
  /** Bytes of every tensor it binds: what it reads and writes at most once each. */
  readonly bytes: number;
}

export interface KernelView {
  readonly index: number;
  readonly name: string;
  readonly entryPoint: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly wgsl: string;
  /** The steps that dispatch it. */
  readonly steps: readonly number[];
}

/** One arena tensor's storage over its lifetime: [start, end] steps (-1: before the first), [offset, offset + bytes). */
export interface MemoryBlock {
  readonly name: string;
  readonly offset: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
}

/** The numbers `inspect --plan --json` reports (PlanSummary), or those an artifact's plan holds. */
export interface InspectionSummary {
  readonly kernels: number;
  /** Kernels without fusion: known only when compiling from a graph. */
  readonly kernelsUnfused: number | null;
  readonly memory: { readonly naiveBytes: number; readonly arenaBytes: number; readonly lowerBoundBytes: number };
  readonly schedulePeakBytes: number | null;
  readonly originalOrderPeakBytes: number | null;
  /** Kernels that recompute values to meet a memory budget (`--memory-budget`; 0 without one). */
  readonly recomputedKernels: number;
  /** Live arena bytes before step 0, at each step, and after the last. */
  readonly liveBytesPerStep: readonly number[];
}

export interface Inspection {
  readonly source: { readonly kind: 'onnx' | 'module' | 'artifact'; readonly path: string };
  readonly name: string;
  readonly summary: InspectionSummary;
  readonly requirements: PlanRequirements;
  readonly graphs: { readonly before?: GraphView; readonly after?: GraphView };
  readonly kernels: readonly KernelView[];
  readonly steps: readonly StepView[];
  readonly memory: { readonly arenaBytes: number; readonly blocks: readonly MemoryBlock[] };
}

function kernelViews(plan: Plan): KernelView[] {
  return plan.kernels.map((k, index) => ({
    index,
    name: k.name,
    entryPoint: k.entryPoint,
    workgroupSize: k.workgroupSize,
    wgsl: k.wgsl,
    steps: plan.steps.flatMap((s, i) => (s.kernel === index ? [i] : [])),
  }));
}

/** The plan with numbers: a symbolic plan at the sizes its report was computed at (its representative binding). */
function sizedPlan(plan: Plan): StaticPlan {
  return plan.symbolic ? bindPlan(plan, plan.symbolic.representative, { maxWorkgroupsPerDimension: 65535 }) : asStaticPlan(plan);
}

function boundTensors(plan: StaticPlan, ids: readonly number[]): BoundTensor[] {
  return ids.map((id) => {
    const t = plan.tensors[id];
    return { name: t.name || `t${id}`, type: formatType(t), region: t.region, offset: t.offset, bytes: t.bytes };
  });
}

/**
 * Each arena tensor's lifetime as the plan uses it: from its first binding (inputs: before step
 * 0) to its last (outputs and state updates: after the last step). Tensors sharing storage (a
 * view, an in-place result) are one block over their joint lifetime.
 */
export function memoryBlocks(plan: StaticPlan): MemoryBlock[] {
  const end = plan.steps.length;
  const span = new Map<number, { start: number; end: number }>();
  const touch = (id: number, step: number) => {
    const s = span.get(id);
    if (s) {
      s.start = Math.min(s.start, step);
      s.end = Math.max(s.end, step);
    } else span.set(id, { start: step, end: step });
  };
  for (const io of plan.inputs) touch(io.tensor, -1);
  plan.steps.forEach((s, i) => s.tensors.forEach((id) => touch(id, i)));
  for (const io of plan.outputs) touch(io.tensor, end);
  for (const u of plan.stateUpdates) touch(u.from, end);
  // Aliases (a view, an in-place result) share an offset while their lifetimes meet; the same
  // offset at disjoint times is storage reused, drawn as separate blocks.
  const atOffset = new Map<number, { name: string; bytes: number; start: number; end: number }[]>();
  for (const [id, s] of span) {
    const t = plan.tensors[id];
    if (t.region !== 'arena' || t.bytes === 0) continue;
    atOffset.set(t.offset, [...(atOffset.get(t.offset) ?? []), { name: t.name || `t${id}`, bytes: t.bytes, ...s }]);
  }
  const blocks: MemoryBlock[] = [];
  for (const [offset, uses] of atOffset) {
    uses.sort((a, b) => a.start - b.start);
    let current: MemoryBlock | undefined;
    for (const u of uses) {
      if (current && u.start <= current.end) {
        current = { ...current, name: `${current.name} = ${u.name}`, bytes: Math.max(current.bytes, u.bytes), end: Math.max(current.end, u.end) };
        blocks[blocks.length - 1] = current;
      } else {
        current = { name: u.name, offset, bytes: u.bytes, start: u.start, end: u.end };
        blocks.push(current);
      }
    }
  }
  return blocks.sort((a, b) => a.start - b.start || a.offset - b.offset);
}

/** Live bytes before step 0, at each step and after the last, from the blocks. */
function liveBytes(blocks: readonly MemoryBlock[], steps: number): number[] {
  const live = new Array<number>(steps + 2).fill(0);
  for (const b of blocks) for (let s = Math.max(b.start, -1); s <= Math.min(b.end, steps); s++) live[s + 1] += b.bytes;
  return live;
}

function planSteps(plan: StaticPlan, groups?: CompileResult['report']['groups']): StepView[] {
  const grouped = groups !== undefined && groups.length === plan.steps.length;
  return plan.steps.map((s, i) => {
    const tensors = boundTensors(plan, s.tensors);
    const group = grouped ? groups[i] : undefined;
    return {
      step: i,
      kernel: s.kernel,
      label: s.label,
      dispatch: s.dispatch,
      tensors,
      bytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
      // The compiler's own count (PlanStep.flops, what run --profile rates), artifacts included.
      ...(s.flops !== undefined ? { flops: s.flops } : {}),
      ...(group ? { members: group.nodes.map(nodeView), anchor: group.anchor?.name ?? null } : {}),
    };
  });
}

/** A model or module compiled by `inspectPlan`: `before` is the graph as imported, the summary is `inspect --json`'s. */
export function inspectionOfCompile(source: Inspection['source'], before: Graph, result: CompileResult, summary: PlanSummary): Inspection {
  const { report } = result;
  const plan = sizedPlan(result.plan);
  return {
    source,
    name: plan.name,
    summary: {
      kernels: summary.kernels,
      kernelsUnfused: summary.kernelsUnfused,
      memory: summary.memory,
      schedulePeakBytes: summary.schedulePeakBytes,
      originalOrderPeakBytes: summary.originalOrderPeakBytes,
      recomputedKernels: summary.recomputedKernels,
      liveBytesPerStep: summary.liveBytesPerStep,
    },
    requirements: plan.requirements,
    graphs: { before: graphView(before), after: graphView(report.graph) },
    kernels: kernelViews(plan),
    steps: planSteps(plan, report.groups),
    memory: { arenaBytes: plan.memory.arenaBytes, blocks: memoryBlocks(plan) },
  };
}

/** An artifact: its plan only (the graph stays with the compiler). */
export function inspectionOfPlan(source: Inspection['source'], symbolicOrStatic: Plan): Inspection {
  const plan = sizedPlan(symbolicOrStatic);
  const blocks = memoryBlocks(plan);
  return {
    source,
    name: plan.name,
    summary: {
      kernels: plan.steps.length,
      kernelsUnfused: null,
      memory: { naiveBytes: plan.memory.naiveBytes, arenaBytes: plan.memory.arenaBytes, lowerBoundBytes: plan.memory.lowerBoundBytes },
      schedulePeakBytes: null,
      originalOrderPeakBytes: null,
      recomputedKernels: plan.memory.recomputedKernels ?? 0,
      liveBytesPerStep: liveBytes(blocks, plan.steps.length),
    },
    requirements: plan.requirements,
    graphs: {},
    kernels: kernelViews(plan),
    steps: planSteps(plan),
    memory: { arenaBytes: plan.memory.arenaBytes, blocks },
  };
}
