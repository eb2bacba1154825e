import { writeFileSync } from 'node:fs';
import { graphOfModule } from '../../compiler/artifact/cli.js';
import { toOnnx } from '../../compiler/onnx/export.js';
import { UsageError } from '../../ir/index.js';
import { parseArgs } from '../args.js';
import type { CliIO } from '../io.js';

export const EXPORT_USAGE = `usage: dawnflow export <module.ts | module.js> -o <model.onnx> [--training]

Writes a DSL model as an ONNX file (opset 20) that onnxruntime and other ONNX runtimes load.
The module's default export (or 'model' / 'graph') is a Graph, a DSL Trace, a TrainingSpec
(its evaluation graph unless --training), or a function returning one. Parameters become
initializers; symbolic dims stay symbolic.`;

export async function exportCommand(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(argv, { out: { value: true, alias: 'o' }, training: { value: false }, verbose: { value: false, alias: 'v' } }, 'export');
  if (args.positionals.length !== 1) throw new UsageError(`export: expected one module file, got ${args.positionals.length}\n${EXPORT_USAGE}`);
  const out = args.values.get('out')?.[0];
  if (!out) throw new UsageError('export: -o <model.onnx> is required');
  const graph = await graphOfModule(args.positionals[0], !args.flags.has('training'));
  const bytes = toOnnx(graph);
  writeFileSync(out, bytes);
  io.print(`wrote ${out} (${bytes.length} bytes, ${graph.nodes.length} nodes, opset 20)`);
}
