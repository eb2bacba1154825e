import { writeFileSync } from 'node:fs';
import type { ModelProto } from '../../compiler/onnx/proto.js';
import { importOnnxModel } from '../../compiler/onnx/import.js';
import { compile } from '../../compiler/compile.js';
import { printAfter } from '../../compiler/lowering/print_after.js';
import { formatPlanSummary, inspectPlan } from '../../compiler/report/plan_report.js';
import { renderPlanSvg } from '../../compiler/report/svg.js';
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
}

export function inspectModelPlan(model: ModelProto, path: string, baseDir: string, options: PlanInspection, io: CliIO): void {
  const onStage = options.printAfter?.length ? printAfter(options.printAfter, (text) => io.print(text)) : undefined;
  const dims = options.dims;
  const imported = importOnnxModel(model, { baseDir, source: path, dims: splitDims(dims).sizes });
  if (!options.plan && !options.json && !options.svg) {
    compile(imported.graph, { dims, onStage });
    return;
  }
  const { result, summary } = inspectPlan(imported.graph, { dims, onStage }, options.at);
  if (options.svg) {
    writeFileSync(options.svg, renderPlanSvg(result, summary));
    if (!options.json) io.print(`wrote ${options.svg}`);
  }
  if (options.json) io.print(JSON.stringify(summary));
  else if (options.plan) io.print(formatPlanSummary(summary));
}
