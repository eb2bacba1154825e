import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { importForInputs } from '../../compiler/onnx/import_for_inputs.js';
import { OnnxType } from '../../compiler/onnx/proto.js';
import { modelSignature } from '../../compiler/onnx/signature.js';
import type { DecodedTensor } from '../../compiler/onnx/tensor_proto.js';
import type { HostTensor } from '../../ir/index.js';
import { formatType, InputError, UsageError } from '../../ir/index.js';
import { encodeNpy } from '../../runtime/io/npy.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { tunedCompileOptions } from '../../device_tuning.js';
import { printProfile } from '../profile_table.js';
import { parseArgs, splitAssignment } from '../args.js';
import { checkDeclaredShape, readInputFile, readModelFile } from '../files.js';
import type { CliIO } from '../io.js';

export const RUN_USAGE = `usage: dawnflow run <model.onnx | artifact dir> --input <name>=<file.npy|file.pb> ... --out <dir>

Runs an ONNX model on the Dawn WebGPU device and writes each output to <dir>/<name>.npy
(characters outside [A-Za-z0-9._-] in a name become '_'). Inputs: .npy (float16/32/64, int8-64,
uint8-32, bool) or TensorProto .pb files. Outputs keep the model's element type (int64 outputs
are written as int64, doubles as float64).

options:
  -i, --input <name>=<file>   an input tensor (repeat for each input)
  -o, --out <dir>             the output directory (created if missing)
  --tune                      time kernel configurations on this adapter first, compile with
                              the fastest (cached per adapter in ~/.cache/dawnflow)
  --profile                   after the run, print each kernel's device time (timestamp queries)
  --browser                   (artifact dir) run in headless Chromium instead of Dawn
  -v, --verbose               print stacks with errors`;

/** The .npy dtype an ONNX output is written as. */
function npyDescr(onnxType: number): string | undefined {
  const table: Record<number, string> = {
    [OnnxType.FLOAT]: '<f4',
    [OnnxType.DOUBLE]: '<f8',
    [OnnxType.FLOAT16]: '<f2',
    [OnnxType.INT64]: '<i8',
    [OnnxType.INT32]: '<i4',
    [OnnxType.INT16]: '<i2',
    [OnnxType.INT8]: '|i1',
    [OnnxType.UINT8]: '|u1',
    [OnnxType.UINT16]: '<u2',
    [OnnxType.UINT32]: '<u4',
    [OnnxType.UINT64]: '<u8',
    [OnnxType.BOOL]: '|b1',
  };
  return table[onnxType];
}

/** A tensor name as a file name: [A-Za-z0-9._-] only, never empty, '.' or '..'. */
export function sanitizeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}

function outputFiles(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = sanitizeName(name);
    let file = base;
    for (let k = 1; used.has(file.toLowerCase()); k++) file = `${base}_${k}`;
    used.add(file.toLowerCase());
    return `${file}.npy`;
  });
}

export async function runCommand(argv: readonly string[], io: CliIO): Promise<void> {
  const args = parseArgs(
    argv,
    { input: { value: true, repeat: true, alias: 'i' }, out: { value: true, alias: 'o' }, tune: { value: false }, profile: { value: false }, verbose: { value: false, alias: 'v' } },
    'run',
  );
  if (args.positionals.length !== 1) throw new UsageError(`run: expected one model file, got ${args.positionals.length}\n${RUN_USAGE}`);
  const outDir = args.values.get('out')?.[0];
  if (!outDir) throw new UsageError(`run: --out <dir> is required`);
  const modelPath = args.positionals[0];
  const { model, baseDir } = readModelFile(modelPath);
  const signature = modelSignature(model);

  const given = new Map<string, string>();
  for (const text of args.values.get('input') ?? []) {
    const [name, path] = splitAssignment(text, 'input');
    if (given.has(name)) throw new UsageError(`run: input '${name}' given twice`);
    given.set(name, path);
  }
  const inputs = new Map<string, DecodedTensor>();
  for (const [name, path] of given) {
    const info = signature.inputs.find((i) => i.name === name);
    if (!info) throw new InputError(`the model has no input '${name}' (inputs: ${signature.inputs.map((i) => i.name).join(', ') || 'none'})`);
    const t = readInputFile(path, info);
    checkDeclaredShape(info, t.tensor.shape, path);
    inputs.set(name, t);
  }
  const missing = signature.inputs.filter((i) => !inputs.has(i.name)).map((i) => i.name);
  if (missing.length) throw new InputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (give --input <name>=<file>)`);

  const { imported, constantInputs } = importForInputs(model, inputs, { baseDir, source: modelPath });
  if (constantInputs.length) io.info(`bound at import (their values shape the graph): ${constantInputs.join(', ')}`);
  const device = await getDefaultDevice();
  const options = args.flags.has('tune') ? await tunedCompileOptions(imported.graph, device, { onProgress: (line) => io.info(line) }) : { limits: device.limits };
  const plan = compile(imported.graph, options);
  const exe = await Executable.load(plan, device);
  let results: Record<string, HostTensor>;
  try {
    const feed: Record<string, HostTensor> = {};
    for (const info of imported.inputs) feed[info.name] = inputs.get(info.name)!.tensor;
    results = await exe.run(feed);
    if (args.flags.has('profile')) printProfile(await exe.profile(feed), io);
  } finally {
    exe.dispose();
  }

  mkdirSync(outDir, { recursive: true });
  const files = outputFiles(imported.outputs.map((o) => o.name));
  imported.outputs.forEach((out, i) => {
    const t = results[out.name];
    const file = join(outDir, files[i]);
    writeFileSync(file, encodeNpy(t, npyDescr(out.onnxType)));
    io.print(`${out.name}: ${formatType(t)} -> ${file}`);
  });
}
