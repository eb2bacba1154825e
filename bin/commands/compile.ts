import { emitArtifact } from '../../compiler/artifact/index.js';
import { DEFAULT_LIMITS } from '../../compiler/compile.js';
import { formatBytes, parseByteSize } from '../../compiler/remat/byte_size.js';
import type { Graph, Plan } from '../../ir/index.js';
import { UsageError } from '../../ir/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { tunedCompileOptions } from '../../toolchain/device_tuning.js';
import { onePositional, optionValue, parseArgs, parseDims, parseInputShapes, VERBOSE_OPTION } from '../args.js';
import type { CliIO } from '../io.js';
import { compileModelFile } from '../model_file.js';

export const COMPILE_USAGE = `usage: dawnflow compile <model.onnx | module.ts | module.js> -o <dir> [options]

Compiles a model ahead of time into an artifact directory: plan.json, kernels/*.wgsl,
weights.safetensors, manifest.json (SHA-256 of every file) and a typed module model.ts/.js/.d.ts
whose load() needs only dawnflow/runtime. A module exports (default, 'model' or 'graph') an IR
Graph, an object with a 'graph' (a DSL Trace), a TrainingSpec, or a function returning one.

options:
  -o, --out <dir>                  the artifact directory (created if missing)
  --dim <name>=<n>                 the size of a symbolic dim (repeat)
  --input-shape <name>=<d0,d1,..>  an ONNX input's shape (repeat)
  --inference                      a TrainingSpec's evaluation graph instead of its training step
  --device-limits                  plan for this machine's adapter (default: WebGPU's guaranteed limits)
  --tune                           time kernel configurations on this machine's adapter and compile
                                   with the fastest (cached per adapter; implies --device-limits)
  --runtime-import <specifier>     what model.js imports the runtime from (default dawnflow/runtime)
  --memory-budget <bytes|KiB|MiB>  plan the arena within this size, recomputing values after the
                                   memory peak (a training step's activations) to fit`;

const OPTIONS = {
  out: { value: true, alias: 'o' },
  dim: { value: true, repeat: true },
  'input-shape': { value: true, repeat: true },
  inference: { value: false },
  'device-limits': { value: false },
  tune: { value: false },
  'runtime-import': { value: true },
  'memory-budget': { value: true },
  ...VERBOSE_OPTION,
} as const;

export interface CompileCommandResult {
  readonly dir: string;
  readonly plan: Plan;
}

/** `dawnflow compile`: a model file → an artifact directory (the compiler's emitter writes it). */
export async function compileCommand(argv: readonly string[], io: CliIO): Promise<CompileCommandResult> {
  const args = parseArgs(argv, OPTIONS, 'compile');
  const model = onePositional(args, 'compile', 'model file', COMPILE_USAGE);
  const out = optionValue(args, 'out');
  if (!out) throw new UsageError('compile: -o <dir> is required');
  const dims = parseDims(args, 'compile');
  const inputShapes = parseInputShapes(args, 'compile');
  const tuning = args.flags.has('tune');
  const budget = optionValue(args, 'memory-budget');
  const memoryBudget = budget === undefined ? undefined : parseByteSize(budget, 'compile: --memory-budget');
  // WebGPU's guaranteed limits by default: the artifact then loads on any adapter that fits its
  // sizes. --device-limits plans for this machine's adapter (e.g. a finer offset alignment).
  const device = args.flags.has('device-limits') || tuning ? await getDefaultDevice() : undefined;
  const limits = device ? device.limits : { ...DEFAULT_LIMITS };
  const tune = device && tuning ? (graph: Graph) => tunedCompileOptions(graph, device, { dims, onProgress: (line) => io.print(line) }) : undefined;
  const started = performance.now();
  const { plan, outputNpyTypes } = await compileModelFile(model, { dims, inputShapes, limits, inference: args.flags.has('inference'), tune, memoryBudget });
  const { dir, manifest } = await emitArtifact(plan, out, { compiledFor: limits, runtimeImport: optionValue(args, 'runtime-import'), outputNpyTypes });
  const bytes = Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0);
  io.print(`compiled ${model} → ${dir}: ${plan.kernels.length} kernels, ${plan.steps.length} dispatches, ${bytes} bytes in ${Object.keys(manifest.files).length + 1} files (${Math.round(performance.now() - started)} ms)`);
  if (memoryBudget !== undefined) io.print(`memory budget ${formatBytes(memoryBudget)}: arena ${formatBytes(plan.memory.arenaBytes)}, ${plan.memory.recomputedKernels} kernels recomputed`);
  return { dir, plan };
}
