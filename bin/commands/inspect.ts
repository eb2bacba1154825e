import { inspectOnnxModel } from '../../compiler/onnx/inspect.js';
import { onnxTypeName } from '../../compiler/onnx/proto.js';
import type { OnnxTensorInfo } from '../../compiler/onnx/signature.js';
import { UsageError } from '../../ir/index.js';
import { parseArgs } from '../args.js';
import { inspectModelPlan } from './inspect_plan.js';
import { readModelFile } from '../files.js';
import type { CliIO } from '../io.js';

export const INSPECT_USAGE = `usage: dawnflow inspect <model.onnx> [--plan [--devices S]] [--json] [--svg <file>] [--dim name=N ...]

Prints a model's inputs and outputs (element types and shapes, symbolic dims by name), its
opsets, the ops it uses with their counts, which of them dawnflow does not support, and whether
the model imports as is (some models need static input shapes: 'dawnflow run' gives them).

  --plan        the compiled plan instead: fused kernels (the ops each holds), the schedule,
                and the memory numbers (naive, planned arena, lower bound)
  --devices S   with --plan: the model split into a pipeline of S stages on S devices: the
                cuts (what crosses them), each stage's estimated cost and memory
  --json        the plan as one JSON object: {kernels, kernelsUnfused, memory, groups, ...}
  --svg <file>  draw the fused kernel graph and the memory timeline
  --dim name=N  the size of a symbolic dim (default 1)`;

function describe(t: OnnxTensorInfo): string {
  const type = t.onnxType ? onnxTypeName(t.onnxType).toLowerCase() : '?';
  return `${t.name}: ${type}${t.shape ? `[${t.shape.join(',')}]` : '[?]'}`;
}

export async function inspectCommand(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(
    argv,
    { verbose: { value: false, alias: 'v' }, plan: { value: false }, json: { value: false }, svg: { value: true }, dim: { value: true, repeat: true }, devices: { value: true } },
    'inspect',
  );
  if (args.positionals.length !== 1) throw new UsageError(`inspect: expected one model file, got ${args.positionals.length}\n${INSPECT_USAGE}`);
  const path = args.positionals[0];
  const { model, baseDir } = readModelFile(path);
  const svg = args.values.get('svg')?.[0];
  const devices = args.values.get('devices')?.[0];
  if (args.flags.has('plan') || args.flags.has('json') || svg) {
    inspectModelPlan(model, path, baseDir, { plan: args.flags.has('plan'), json: args.flags.has('json'), svg, dims: args.values.get('dim') ?? [], devices }, io);
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
