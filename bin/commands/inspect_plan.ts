import { writeFileSync } from 'node:fs';
import type { ModelProto } from '../../compiler/onnx/proto.js';
import type { Graph } from '../../ir/index.js';
import { importOnnxModel } from '../../compiler/onnx/import.js';
import { compile } from '../../compiler/compile.js';
import { printAfter } from '../../compiler/lowering/print_after.js';
import { formatPlanSummary, inspectPlan } from '../../compiler/report/plan_report.js';
import { renderPlanSvg } from '../../compiler/report/svg.js';
import { compileInferencePipeline } from '../../compiler/parallel/inference_pipeline.js';
import { formatPipelinePlan } from '../../compiler/parallel/plan_summary.js';
import { UsageError } from '../../ir/index.js';
import type { CliIO } from '../io.js';
import type { DimFact } from '../../ir/index.js';
import { splitDims } from '../../ir/index.js';

/**
 * `dawnflow inspect <model> --plan | --json | --svg <file>`: what the compiler makes of a model —
 * fused kernels and the ops each holds, the schedule, the three memory numbers — as text, as one
 * JSON object, or as a picture (kernel graph + memory timeline); with --print-ir-after, the value
 * after the named lowering stages or graph passes. Symbolic dims stay symbolic unless --dim gives
 * a size: the plan shows its formulas, and its numbers at the sizes --at gives (the
 * representative sizes for the others).
  * With --memory-budget the arena is planned within it (recomputing values after the peak).
 */
export interface PlanInspection {
  readonly plan: boolean;
  readonly json: boolean;
  readonly svg?: string;
  /** `--dim`: a size specializes a dim, a fact (bounds, divisor) describes one that stays symbolic. */
  readonly dims: Readonly<Record<string, number | DimFact>>;
  /** `--at`: the sizes a symbolic plan's numbers are shown at. */
  readonly at?: Readonly<Record<string, number>>;
  /** Stage or graph pass names (or 'all') to print the value after. */
  readonly printAfter?: readonly string[];
  /** The most bytes the arena may take (`--memory-budget`): past it, values are recomputed. */
  readonly memoryBudget?: number;
  /** Split the model into a pipeline of this many stages (docs/parallel.md). */
  readonly devices?: string;
}

export function inspectModelPlan(model: ModelProto, path: string, baseDir: string, options: PlanInspection, io: CliIO): void {
  inspectGraphPlan(importOnnxModel(model, { baseDir, source: path, dims: splitDims(options.dims).sizes }).graph, options, io);
}

/** The plan of a graph (an imported ONNX model, a DSL module's graph), as the options ask. */
export function inspectGraphPlan(graph: Graph, options: PlanInspection, io: CliIO): void {
  const onStage = options.printAfter?.length ? printAfter(options.printAfter, (text) => io.print(text)) : undefined;
  const dims = options.dims;
  const memoryBudget = options.memoryBudget;
  if (options.devices !== undefined) {
    const stages = Number(options.devices);
    if (!Number.isInteger(stages) || stages < 1) throw new UsageError(`inspect: --devices ${options.devices} must be a positive integer`);
    // Pipeline stages are cut on a static plan: dims without a size take --at's, else 1.
    const sizes: Record<string, number> = { ...splitDims(dims).sizes, ...options.at };
    for (const input of graph.inputs) {
      for (const d of input.type.shape) if (typeof d === 'string' && !(d in sizes)) sizes[d] = 1;
    }
    const program = compileInferencePipeline(graph, { stages, dims: sizes });
    io.print(options.json ? JSON.stringify(program.stages.map((s) => ({ stage: s.index, ...s.estimate, receives: s.receives, sends: s.sends }))) : formatPipelinePlan(program));
    return;
  }
  if (!options.plan && !options.json && !options.svg) {
    compile(graph, { dims, onStage, memoryBudget });
    return;
  }
  const { result, summary } = inspectPlan(graph, { dims, onStage, memoryBudget }, options.at);
  if (options.svg) {
    writeFileSync(options.svg, renderPlanSvg(result, summary));
    if (!options.json) io.print(`wrote ${options.svg}`);
  }
  if (options.json) io.print(JSON.stringify(summary));
  else if (options.plan) io.print(formatPlanSummary(summary));
}
