import { resolve } from 'node:path';
import { inspectOnnxModel } from '../../compiler/onnx/inspect.js';
import { onnxTypeName } from '../../compiler/onnx/proto.js';
import type { OnnxTensorInfo } from '../../compiler/onnx/signature.js';
import { parseByteSize } from '../../compiler/remat/byte_size.js';
import type { Graph } from '../../ir/index.js';
import { formatType, UsageError } from '../../ir/index.js';
import { onePositional, optionValue, parseArgs, parseDims, parseSizes, VERBOSE_OPTION } from '../args.js';
import { graphOfModule } from '../dsl_module.js';
import { isModulePath } from '../files.js';
import { inspectGraphPlan, inspectModelPlan } from './inspect_plan.js';
import { checkDimNames, graphDimNames, onnxDimNames, readModelFile } from '../model_file.js';
import type { CliIO } from '../io.js';

export const INSPECT_USAGE = `usage: dawnflow inspect <model.onnx | module.ts> [--plan [--devices S]] [--json] [--svg <file>] [--print-ir-after <stage|pass|all> ...] [--dim name=N|min..max|%k ...] [--at name=N ...] [--memory-budget <size>]
       dawnflow inspect <model.onnx | module.ts | artifact dir> --html <file> [--profile <run.json>] [--peak-gflops N]

Prints a model's inputs and outputs (element types and shapes, symbolic dims by name), its
opsets, the ops it uses with their counts, which of them dawnflow does not support, and whether
the model imports as is (some models need static input shapes: 'dawnflow run' gives them).
A DSL module is read as 'dawnflow compile' reads it (a TrainingSpec gives its training step).

  --plan        the compiled plan instead: fused kernels (the ops each holds), the schedule,
                and the memory numbers (naive, planned arena, lower bound)
  --devices S   with --plan: the model split into a pipeline of S stages on S devices: the
                cuts (what crosses them), each stage's estimated cost and memory
  --json        the plan as one JSON object: {kernels, kernelsUnfused, memory, groups, ...}
  --svg <file>  draw the fused kernel graph and the memory timeline
  --print-ir-after <stage|pass|all>
                compile, printing the value after that lowering stage or graph pass
                (repeatable or comma-separated; an unknown name lists the valid ones)
  --dim name=N  specialize a symbolic dim to a size; name=min..max or name=%k keeps it symbolic
                with bounds or a divisor (dims not named stay symbolic)
  --at name=N   show a symbolic plan's numbers (shapes, arena, workgroups) at this size of a
                dim (default: its upper bound, else 64); formulas are shown next to them
  --memory-budget <bytes|KiB|MiB>
                plan the arena within this size, recomputing values after the memory
                peak (training steps: activations the backward pass reads)
  --html <file> write one self-contained page (no network): the graph before and after the
                passes, fused kernels with their nodes and WGSL, the schedule, the memory
                timeline; the same numbers as --json
  --profile <file>     with --html: each kernel's device time, from 'run --profile --json'
  --peak-gflops <N>    with --profile: the device's f32 peak, for each kernel's % of peak`;

function peakGflops(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`inspect: --peak-gflops ${text} is not a positive number`);
  return n;
}

function describe(t: OnnxTensorInfo): string {
  const type = t.onnxType ? onnxTypeName(t.onnxType).toLowerCase() : '?';
  return `${t.name}: ${type}${t.shape ? `[${t.shape.join(',')}]` : '[?]'}`;
}

export async function inspectCommand(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(
    argv,
    {
      plan: { value: false },
      json: { value: false },
      svg: { value: true },
      dim: { value: true, repeat: true },
      at: { value: true, repeat: true },
      'print-ir-after': { value: true, repeat: true },
      html: { value: true },
      profile: { value: true },
      'peak-gflops': { value: true },
      'memory-budget': { value: true },
      devices: { value: true },
      ...VERBOSE_OPTION,
    },
    'inspect',
  );
  const path = onePositional(args, 'inspect', 'model file', INSPECT_USAGE);
  const dims = parseDims(args, 'inspect');
  const html = optionValue(args, 'html');
  if (html !== undefined) {
    const { inspectHtml } = await import('./inspect_html.js');
    await inspectHtml(path, { out: html, dims, profile: optionValue(args, 'profile'), peakGflops: peakGflops(optionValue(args, 'peak-gflops')) }, io);
    return;
  }
  if (optionValue(args, 'profile') !== undefined || optionValue(args, 'peak-gflops') !== undefined) throw new UsageError('inspect: --profile and --peak-gflops go with --html <file>');
  const svg = optionValue(args, 'svg');
  const printAfter = (args.values.get('print-ir-after') ?? []).flatMap((names) => names.split(','));
  const budget = optionValue(args, 'memory-budget');
  const memoryBudget = budget === undefined ? undefined : parseByteSize(budget, 'inspect: --memory-budget');
  const devices = optionValue(args, 'devices');
  const at = parseSizes(args, 'at', 'inspect');
  const options = { plan: args.flags.has('plan'), json: args.flags.has('json'), svg, dims, at, printAfter, memoryBudget, devices };
  const checkDims = (known: readonly string[]): void => {
    checkDimNames(Object.keys(dims), known, path);
    checkDimNames(Object.keys(at), known, path, '--at');
  };
  const planned = options.plan || options.json || svg !== undefined || printAfter.length > 0 || memoryBudget !== undefined || devices !== undefined;
  if (isModulePath(path)) {
    const graph = await graphOfModule(resolve(path), false);
    checkDims(graphDimNames(graph));
    if (planned) inspectGraphPlan(graph, options, io);
    else describeModuleGraph(graph, path, io);
    return;
  }
  const { model, baseDir } = readModelFile(path);
  checkDims(onnxDimNames(model));
  if (planned) {
    inspectModelPlan(model, path, baseDir, options, io);
    return;
  }
  const r = inspectOnnxModel(model, { baseDir });
  const opsets = Object.entries(r.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ');
  io.print(`model: ${path}`);
  io.print(`ir version ${r.irVersion}; opsets: ${opsets || 'none'}${r.producer ? `; producer: ${r.producer}` : ''}`);
  io.print(`inputs:`);
  for (const t of r.inputs) io.print(`  ${describe(t)}`);
  io.print(`outputs:`);
  for (const t of r.outputs) io.print(`  ${describe(t)}`);
  io.print(`initializers: ${r.initializers.count} (${r.initializers.elements} values)`);
  io.print(`ops (${r.ops.length} types, ${r.ops.reduce((a, o) => a + o.count, 0)} nodes):`);
  for (const op of r.ops) io.print(`  ${op.domain ? `${op.domain}::` : ''}${op.opType} x${op.count}${op.supported ? '' : '  [unsupported]'}`);
  const unsupported = r.ops.filter((o) => !o.supported);
  io.print(
    `unsupported: ${unsupported.length ? unsupported.map((o) => `${o.domain || 'ai.onnx'}::${o.opType} (opset ${o.opset ?? '?'})`).join(', ') : 'none'}`,
  );
  io.print(`import: ${r.importError ? `${r.importError.code}: ${r.importError.message}` : 'ok'}`);
}

/** A DSL module's graph: inputs, outputs, states and the ops it uses. */
function describeModuleGraph(graph: Graph, path: string, io: CliIO): void {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  io.print(`module: ${path} (graph '${graph.name}')`);
  io.print('inputs:');
  for (const v of graph.inputs) io.print(`  ${v.name}: ${formatType(v.type)}`);
  io.print('outputs:');
  for (const v of graph.outputs) io.print(`  ${v.name}: ${formatType(v.type)}`);
  const stateValues = [...graph.states.values()].reduce((n, t) => n + t.data.length, 0);
  io.print(`states: ${graph.states.size} (${stateValues} values, ${graph.stateUpdates.size} updated each run); constants: ${graph.constants.size}`);
  io.print(`ops (${counts.size} types, ${graph.nodes.length} nodes):`);
  for (const [op, count] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) io.print(`  ${op} x${count}`);
}
