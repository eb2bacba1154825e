import { writeFileSync } from 'node:fs';
import type { Graph } from '../../ir/index.js';
import { compile } from '../../compiler/compile.js';
import { printAfter } from '../../compiler/lowering/print_after.js';
import { formatPlanSummary, inspectPlan } from '../../compiler/report/plan_report.js';
import { renderPlanSvg } from '../../compiler/report/svg.js';
import { UsageError } from '../../ir/index.js';
import { splitAssignment } from '../args.js';
import type { CliIO } from '../io.js';

/**
 * `dawnflow inspect <model> --plan | --json | --svg <file>`: what the compiler makes of a model —
 * fused kernels and the ops each holds, the schedule, the three memory numbers — as text, as one
 * JSON object, or as a picture (kernel graph + memory timeline); with --print-ir-after, the value
 * after the named lowering stages or graph passes. Symbolic dims not given with --dim are taken as 1.
 */
export interface PlanInspection {
  readonly plan: boolean;
  readonly json: boolean;
  readonly svg?: string;
  /** Stage or graph pass names (or 'all') to print the value after. */
  readonly printAfter?: readonly string[];
  /** The most bytes the arena may take (`--memory-budget`): past it, values are recomputed. */
  readonly memoryBudget?: number;
}

/** `--dim name=N` options as sizes. */
export function parseDims(texts: readonly string[]): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const text of texts) {
    const [name, value] = splitAssignment(text, 'dim');
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`inspect: --dim ${name}=${value} must be a positive integer`);
    dims[name] = n;
  }
  return dims;
}

/** The plan of a graph (an imported ONNX model, a DSL module's graph), as the options ask. */
export function inspectGraphPlan(graph: Graph, given: Readonly<Record<string, number>>, options: PlanInspection, io: CliIO): void {
  const onStage = options.printAfter?.length ? printAfter(options.printAfter, (text) => io.print(text)) : undefined;
  const dims: Record<string, number> = { ...given };
  for (const input of graph.inputs) {
    for (const d of input.type.shape) if (typeof d === 'string' && !(d in dims)) dims[d] = 1;
  }
  const memoryBudget = options.memoryBudget;
  if (!options.plan && !options.json && !options.svg) {
    compile(graph, { dims, onStage, memoryBudget });
    return;
  }
  const { result, summary } = inspectPlan(graph, { dims, onStage, memoryBudget });
  if (options.svg) {
    writeFileSync(options.svg, renderPlanSvg(result, summary));
    if (!options.json) io.print(`wrote ${options.svg}`);
  }
  if (options.json) io.print(JSON.stringify(summary));
  else if (options.plan) io.print(formatPlanSummary(summary));
}
