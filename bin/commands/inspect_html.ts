import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importOnnxModel } from '../../compiler/onnx/import.js';
import { type Inspection, inspectionOfCompile, inspectionOfPlan } from '../../toolchain/inspector/inspection.js';
import { renderInspectorPage } from '../../toolchain/inspector/page.js';
import { joinProfile, type ProfileView } from '../../toolchain/inspector/profile.js';
import { formatBytes } from '../../toolchain/inspector/memory_svg.js';
import { inspectPlan } from '../../compiler/report/plan_report.js';
import type { DimFact, Graph, Plan } from '../../ir/index.js';
import { InputError, shapeSymbols, splitDims } from '../../ir/index.js';
import { directorySource } from '../../runtime/artifact/directory_source.js';
import { readArtifact } from '../../runtime/artifact/read_artifact.js';
import { parseProfile } from '../../runtime/profile_file.js';
import { graphOfModule } from '../dsl_module.js';
import { isDirectory, isModulePath, readBytes } from '../files.js';
import type { CliIO } from '../io.js';
import { readModelFile } from '../model_file.js';

/**
 * `dawnflow inspect <model.onnx | module.ts | artifact dir> --html <file>`: the inspector page.
 * A model or module is compiled as `inspect --plan --json` compiles it (WebGPU's default
 * limits, symbolic dims not given taken as 1), so the page's numbers are that command's; an
 * artifact shows its plan as compiled.
 */

export interface HtmlInspection {
  /** Where to write the page. */
  readonly out: string;
  /** `--dim`: sizes fix dims; facts are ignored here (the page shows a plan at sizes). */
  readonly dims: Readonly<Record<string, number | DimFact>>;
  /** `run --profile --json` output to join (device time per kernel). */
  readonly profile?: string;
  /** The device's f32 peak, for % of peak. */
  readonly peakGflops?: number;
}

/** Symbolic input dims not given take 1, as `inspect --plan` takes them. */
function withDefaultDims(graph: Graph, given: Readonly<Record<string, number>>): Record<string, number> {
  const dims: Record<string, number> = { ...given };
  for (const s of shapeSymbols(graph.inputs.map((v) => v.type.shape))) if (!(s in dims)) dims[s] = 1;
  return dims;
}

async function inspectSource(path: string, dims: Readonly<Record<string, number | DimFact>>): Promise<Inspection> {
  const given = splitDims(dims).sizes;
  if (isDirectory(path)) {
    const { planFile, kernels } = await readArtifact(directorySource(path));
    const plan: Plan = { ...planFile, kernels, constants: planFile.constants.map((c) => ({ tensor: c.tensor })), states: planFile.states.map((s) => ({ tensor: s.tensor })) };
    return inspectionOfPlan({ kind: 'artifact', path }, plan);
  }
  const kind = isModulePath(path) ? 'module' : 'onnx';
  let graph: Graph;
  if (kind === 'module') graph = await graphOfModule(resolve(path), false);
  else {
    const { model, baseDir } = readModelFile(path);
    graph = importOnnxModel(model, { baseDir, source: path, dims: { ...given } }).graph;
  }
  const { result, summary } = inspectPlan(graph, { dims: withDefaultDims(graph, given) });
  return inspectionOfCompile({ kind, path }, graph, result, summary);
}

export async function inspectHtml(path: string, options: HtmlInspection, io: CliIO): Promise<Inspection> {
  const inspection = await inspectSource(path, options.dims);
  let profile: ProfileView | undefined;
  if (options.profile !== undefined) {
    const text = new TextDecoder().decode(readBytes(options.profile, 'profile'));
    const parsed = parseProfile(text, options.profile);
    // A profile from `run --profile` carries the FMA peak measured with it; --peak-gflops overrides.
    profile = joinProfile(inspection, parsed, options.peakGflops ?? parsed.fmaPeakGflops);
  }
  try {
    writeFileSync(options.out, renderInspectorPage(inspection, profile));
  } catch (cause) {
    throw new InputError(`cannot write the page '${options.out}': ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  const m = inspection.summary.memory;
  io.print(`wrote ${options.out}: ${inspection.summary.kernels} kernels, arena ${formatBytes(m.arenaBytes)} (lower bound ${formatBytes(m.lowerBoundBytes)}, naive ${formatBytes(m.naiveBytes)})${profile ? `, ${profile.matched}/${profile.rows.length} profiled steps matched` : ''}`);
  return inspection;
}
