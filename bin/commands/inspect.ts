import { inspectOnnxModel } from '../../compiler/onnx/inspect.js';
import { onnxTypeName } from '../../compiler/onnx/proto.js';
import type { OnnxTensorInfo } from '../../compiler/onnx/signature.js';
import { UsageError } from '../../ir/index.js';
import { onePositional, optionValue, parseArgs, parseDims, VERBOSE_OPTION } from '../args.js';
import { inspectModelPlan } from './inspect_plan.js';
import { readModelFile } from '../model_file.js';
import type { CliIO } from '../io.js';

export const INSPECT_USAGE = `usage: dawnflow inspect <model.onnx> [--plan] [--json] [--svg <file>] [--print-ir-after <stage|pass|all> ...] [--dim name=N ...]
       dawnflow inspect <model.onnx | module.ts | artifact dir> --html <file> [--profile <run.json>] [--peak-gflops N]

Prints a model's inputs and outputs (element types and shapes, symbolic dims by name), its
opsets, the ops it uses with their counts, which of them dawnflow does not support, and whether
the model imports as is (some models need static input shapes: 'dawnflow run' gives them).

  --plan        the compiled plan instead: fused kernels (the ops each holds), the schedule,
                and the memory numbers (naive, planned arena, lower bound)
  --json        the plan as one JSON object: {kernels, kernelsUnfused, memory, groups, ...}
  --svg <file>  draw the fused kernel graph and the memory timeline
  --print-ir-after <stage|pass|all>
                compile, printing the value after that lowering stage or graph pass
                (repeatable or comma-separated; an unknown name lists the valid ones)
  --dim name=N  the size of a symbolic dim (default 1)
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
      'print-ir-after': { value: true, repeat: true },
      html: { value: true },
      profile: { value: true },
      'peak-gflops': { value: true },
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
  const { model, baseDir } = readModelFile(path);
  const svg = optionValue(args, 'svg');
  const printAfter = (args.values.get('print-ir-after') ?? []).flatMap((names) => names.split(','));
  if (args.flags.has('plan') || args.flags.has('json') || svg || printAfter.length) {
    inspectModelPlan(model, path, baseDir, { plan: args.flags.has('plan'), json: args.flags.has('json'), svg, dims, printAfter }, io);
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
