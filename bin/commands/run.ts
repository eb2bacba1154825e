import { UsageError } from '../../ir/index.js';
import { profileFile } from '../../runtime/profile_file.js';
import { onePositional, optionValue, parseArgs, VERBOSE_OPTION } from '../args.js';
import { inputFiles, readInputs } from '../inputs.js';
import type { CliIO } from '../io.js';
import { writeOutputs } from '../outputs.js';
import { printProfile } from '../profile_table.js';
import { measureFmaPeak } from '../../runtime/index.js';
import { openRunnable, runnableKind } from '../runnable/open.js';

export const RUN_USAGE = `usage: dawnflow run <model.onnx | module.ts | artifact dir> --input <name>=<file.npy|file.pb> ... --out <dir>

Runs an ONNX model, a DSL module (its graph; a TrainingSpec's evaluation graph) or a compiled
artifact (no compiler involved) on the Dawn WebGPU device and writes each output to
<dir>/<name>.npy (characters outside [A-Za-z0-9._-] in a name become '_'). Inputs: .npy
(float16/32/64, int8-64, uint8-32, bool) or TensorProto .pb files; a module's symbolic dims take
the sizes its inputs give them. Outputs keep the model's element type (int64 outputs are written
as int64, doubles as float64).

options:
  -i, --input <name>=<file>   an input tensor (repeat for each input)
  -o, --out <dir>             the output directory (created if missing)
  --weights <file>            (artifact) a .safetensors file replacing the artifact's weights of
                              the same names (e.g. exported training parameters)
  --tune                      (model) time kernel configurations on this adapter first, compile
                              with the fastest (cached per adapter in ~/.cache/dawnflow)
  --profile                   after the run, print each kernel's device time (timestamp queries),
                              GFLOP/s and share of the FMA peak measured then
  --json                      print one JSON object on stdout instead: {outputs, profile} (the
                              output lines go to stderr); 'inspect --html --profile' reads it
  --browser                   (artifact dir) run in headless Chromium instead of Dawn
  -v, --verbose               print stacks with errors`;

const OPTIONS = {
  input: { value: true, repeat: true, alias: 'i' },
  out: { value: true, alias: 'o' },
  weights: { value: true },
  tune: { value: false },
  profile: { value: false },
  browser: { value: false },
  json: { value: false },
  ...VERBOSE_OPTION,
} as const;

export interface RunCommandResult {
  /** Output name → the .npy file written. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** `dawnflow run`: one path for models and artifacts — read the inputs, run, write the outputs. */
export async function runCommand(argv: readonly string[], io: CliIO): Promise<RunCommandResult> {
  const args = parseArgs(argv, OPTIONS, 'run');
  const target = onePositional(args, 'run', 'model file or artifact directory', RUN_USAGE);
  const out = optionValue(args, 'out');
  if (!out) throw new UsageError('run: --out <dir> is required');
  const files = inputFiles(args.values.get('input') ?? [], 'run');
  const weights = optionValue(args, 'weights');
  const tune = args.flags.has('tune');
  const kind = runnableKind(target);
  if (weights !== undefined && kind !== 'artifact') throw new UsageError(`run: --weights applies to an artifact directory; '${target}' is a model file`);
  if (tune && kind === 'artifact') throw new UsageError(`run: an artifact's kernels are fixed when it is compiled; tune with 'dawnflow compile --tune'`);
  const json = args.flags.has('json');
  // With --json, stdout holds the one JSON object; the per-output lines go to stderr.
  const lines: CliIO = json ? { print: (line) => io.info(line), info: (line) => io.info(line) } : io;
  if (args.flags.has('browser')) {
    if (kind !== 'artifact') throw new UsageError(`run --browser runs a compiled artifact directory; '${target}' is a model file (dawnflow compile <model> -o <dir> first)`);
    if (args.flags.has('profile')) throw new UsageError('run: --profile times kernels on Dawn; it does not apply with --browser');
    const { runArtifactInBrowser } = await import('../browser/run_artifact.js');
    const written = await runArtifactInBrowser(target, files, out, { weights }, lines);
    if (json) io.print(JSON.stringify({ outputs: written }));
    return { outputs: written };
  }
  const runnable = await openRunnable(target, kind, { weights, tune }, lines);
  try {
    const inputs = await readInputs(runnable.inputs, files);
    const { executable, feed, outputs } = await runnable.prepare(inputs);
    const results = await executable.run(feed);
    const steps = args.flags.has('profile') ? await executable.profile(feed) : undefined;
    // The device's FMA peak, measured now: each kernel's GFLOP/s as a share of it.
    const peak = steps ? await measureFmaPeak(executable.device) : undefined;
    if (steps && !json) printProfile(steps, io, peak);
    const written = writeOutputs(out, outputs, results, lines);
    if (json) io.print(JSON.stringify({ outputs: written, ...(steps ? { profile: profileFile(executable.plan.name, executable.device.adapterDescription, steps, peak?.gflops) } : {}) }));
    return { outputs: written };
  } finally {
    runnable.dispose();
  }
}
