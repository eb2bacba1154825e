import { writeFileSync } from 'node:fs';
import { toOnnx } from '../../compiler/onnx/export.js';
import { UsageError } from '../../ir/index.js';
import { graphOfModule } from '../dsl_module.js';
import { onePositional, optionValue, parseArgs, VERBOSE_OPTION } from '../args.js';
import type { CliIO } from '../io.js';

export const EXPORT_USAGE = `usage: dawnflow export <module.ts | module.js> -o <model.onnx> [--training]

Writes a DSL model as an ONNX file (opset 20) that onnxruntime and other ONNX runtimes load.
The module's default export (or 'model' / 'graph') is a Graph, a DSL Trace, a TrainingSpec
(its evaluation graph unless --training), or a function returning one. Parameters become
initializers; symbolic dims stay symbolic.`;

export async function exportCommand(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(argv, { out: { value: true, alias: 'o' }, training: { value: false }, ...VERBOSE_OPTION }, 'export');
  const module = onePositional(args, 'export', 'module file', EXPORT_USAGE);
  const out = optionValue(args, 'out');
  if (!out) throw new UsageError('export: -o <model.onnx> is required');
  const graph = await graphOfModule(module, !args.flags.has('training'));
  const bytes = toOnnx(graph);
  writeFileSync(out, bytes);
  io.print(`wrote ${out} (${bytes.length} bytes, ${graph.nodes.length} nodes, opset 20)`);
}
