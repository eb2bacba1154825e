import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { DType, Graph, HostTensor, Plan } from '../../ir/index.js';
import { formatType, InputError, UsageError } from '../../ir/index.js';
import type { LoadedArtifact } from '../../runtime/artifact/index.js';
import { loadArtifact } from '../../runtime/artifact/index.js';
import { getDefaultDevice } from '../../runtime/device.js';
import { tunedCompileOptions } from '../../device_tuning.js';
import type { CompileOptions } from '../compile.js';
import { compile, DEFAULT_LIMITS } from '../compile.js';
import { buildEvalGraph, buildTrainingGraph } from '../train/compile_training.js';
import type { TrainingSpec } from '../train/compile_training.js';
import { formatBytes, parseByteSize } from '../remat/byte_size.js';
import { emitArtifact } from './emit.js';

/**
 * The artifact commands of the CLI, as functions bin/cli.ts calls with its arguments. Both throw
 * typed errors (UsageError for bad arguments, InputError for bad inputs) and print through
 * `io.log`. `run <dir>` keeps the contract of `run <model.onnx>`: .npy or TensorProto .pb in,
 * `<out>/<name>.npy` out with the same file names and the element types of the source model.
 */

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
  --memory-budget <bytes|KiB|MiB>  plan the arena within this size, recomputing values after the
                                   memory peak (a training step's activations) to fit
  --device-limits                  plan for this machine's adapter (default: WebGPU's guaranteed limits)
  --tune                           time kernel configurations on this machine's adapter and compile
                                   with the fastest (cached per adapter; implies --device-limits)
  --runtime-import <specifier>     what model.js imports the runtime from (default dawnflow/runtime)`;

export const RUN_ARTIFACT_USAGE = `usage: dawnflow run <artifact dir> --input <name>=<file.npy|file.pb> ... --out <dir> [--weights <file.safetensors>]

Runs a compiled artifact (no compiler involved) and writes each output to <dir>/<name>.npy.
--weights replaces the artifact's weights of the same names (e.g. exported training parameters).`;

export interface CommandIO {
  log(line: string): void;
}

const consoleIO: CommandIO = { log: (line) => console.log(line) };

export interface CompileCommandResult {
  readonly dir: string;
  readonly plan: Plan;
}

export interface RunArtifactCommandResult {
  /** Output name → the .npy file written. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The part of compiler/onnx's API used here, looked up when an ONNX file is compiled. */
interface OnnxImporter {
  importOnnx(
    bytes: Uint8Array,
    options: { source?: string; baseDir?: string; dims?: Readonly<Record<string, number>>; inputShapes?: Readonly<Record<string, readonly number[]>> },
  ): { graph: Graph; outputs: readonly { name: string; onnxType: number }[] };
}

/** The part of compiler/onnx's API that reads TensorProto .pb inputs. */
interface TensorProtoReader {
  decodeTensorProto(bytes: Uint8Array, what?: string): unknown;
  decodeTensor(proto: unknown, options: { what?: string }): { tensor: HostTensor; wide?: unknown };
}

/** The part of runtime/io/npy's API used here. */
interface NpyCodec {
  parseNpy(bytes: Uint8Array, what?: string): unknown;
  npyToTensor(array: unknown, dtype: DType, what?: string): HostTensor;
  encodeNpy(tensor: HostTensor, descr?: string): Uint8Array;
}

// Resolved at run time: each command needs only its own module, and a bundle of these
// functions must not pull the ONNX parser into `dawnflow run`.
const ONNX_IMPORTER = '../onnx/import.js';
const ONNX_PROTO = '../onnx/proto.js';
const ONNX_TENSOR = '../onnx/tensor_proto.js';

/** The .npy descr of each ONNX element type (TensorProto.DataType numbers). */
const NPY_OF_ONNX: Readonly<Record<number, string>> = {
  1: '<f4', 2: '|u1', 3: '|i1', 4: '<u2', 5: '<i2', 6: '<i4', 7: '<i8', 9: '|b1', 10: '<f2', 11: '<f8', 12: '<u4', 13: '<u8',
};
const NPY_CODEC = '../../runtime/io/npy.js';

function pairs<T>(values: readonly string[] | undefined, flag: string, parse: (value: string, text: string) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const text of values ?? []) {
    const at = text.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`${flag} ${text}: expected name=value`);
    out[text.slice(0, at)] = parse(text.slice(at + 1), text);
  }
  return out;
}

function positiveInt(value: string, text: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} ${text}: '${value}' is not a size`);
  return n;
}

function isGraph(value: unknown): value is Graph {
  const g = value as Partial<Graph> | null;
  return typeof g === 'object' && g !== null && Array.isArray(g.nodes) && Array.isArray(g.inputs) && Array.isArray(g.outputs) && g.constants instanceof Map && g.states instanceof Map;
}

function isTrainingSpec(value: unknown): value is TrainingSpec {
  const s = value as Partial<TrainingSpec> | null;
  return typeof s === 'object' && s !== null && 'model' in s && typeof s.loss === 'function' && 'optimizer' in s && typeof s.batchSize === 'number';
}

/** Imports a module.ts / module.js; TypeScript through tsx when it is installed. */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (!/\.[cm]?ts$/.test(path)) return (await import(url)) as Record<string, unknown>;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  let tsx: { tsImport(specifier: string, parent: string): Promise<unknown> };
  try {
    tsx = (await import('tsx/esm/api' as string)) as typeof tsx;
  } catch {
    throw new UsageError(`${path}: this Node cannot import TypeScript; install tsx (npm i -D tsx) or compile the module to .js first`);
  }
  return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/**
 * The graph a module exports: its default export, else `model`, else `graph`; each may be a
 * Graph, an object with a `graph` (a DSL Trace), a TrainingSpec (compiled as its training step,
 * or its evaluation graph with `inference`), or a function returning one of those.
 */
export async function graphOfModule(path: string, inference: boolean): Promise<Graph> {
  const module = await importModule(path);
  let value: unknown = module.default ?? module.model ?? module.graph;
  if (value === undefined) throw new UsageError(`${path}: exports no default, 'model' or 'graph' (exports: ${Object.keys(module).join(', ') || 'none'})`);
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (isTrainingSpec(value)) return inference ? buildEvalGraph(value) : buildTrainingGraph(value).graph;
  if (!isGraph(value) && isGraph((value as { graph?: unknown } | null)?.graph)) value = (value as { graph: Graph }).graph;
  if (!isGraph(value)) throw new UsageError(`${path}: its export is not a Graph, an object with a 'graph', or a TrainingSpec`);
  return value;
}

export interface ModelFileOptions {
  readonly dims?: Readonly<Record<string, number>>;
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly limits?: Readonly<Record<string, number>>;
  /** For a TrainingSpec module: its evaluation graph rather than its training step. */
  readonly inference?: boolean;
  /** Kernel configurations for the graph (`--tune`: measured on the adapter). */
  readonly tune?: (graph: Graph) => Promise<TunedConfigs>;
  /** The most bytes the arena may take (CompileOptions.memoryBudget). */
  readonly memoryBudget?: number;
}

/** What tuning decides: the tile configuration of each templated kernel. */
export type TunedConfigs = Pick<CompileOptions, 'matmulConfig' | 'vec4MatmulConfig' | 'convConfig'>;

export interface CompiledModelFile {
  readonly plan: Plan;
  /** Output name → .npy descr, where the source model says (ONNX int64 outputs: '<i8'). */
  readonly outputNpyTypes: Readonly<Record<string, string>>;
}

/**
 * Model file → Plan, exactly as `dawnflow compile` builds it (tests compare against this). An
 * ONNX model goes through the same steps as `dawnflow run model.onnx` (import, compile), so
 * an artifact's outputs equal that command's.
 */
export async function compileModelFile(path: string, options: ModelFileOptions = {}): Promise<CompiledModelFile> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  let graph: Graph;
  let outputNpyTypes: Record<string, string> = {};
  if (extension === '.onnx') {
    const { importOnnx } = (await import(ONNX_IMPORTER)) as OnnxImporter;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      throw new InputError(`cannot read model '${path}': ${code === 'ENOENT' ? 'no such file' : (code ?? String(cause))}`, { cause });
    }
    const imported = importOnnx(bytes, { source: basename(file), baseDir: dirname(file), dims: options.dims, inputShapes: options.inputShapes });
    graph = imported.graph;
    outputNpyTypes = Object.fromEntries(imported.outputs.flatMap((o) => (NPY_OF_ONNX[o.onnxType] ? [[o.name, NPY_OF_ONNX[o.onnxType]]] : [])));
  } else if (/^\.[cm]?[jt]s$/.test(extension)) {
    graph = await graphOfModule(file, options.inference ?? false);
  } else {
    throw new UsageError(`${path}: expected an .onnx model or a .ts/.js module`);
  }
  const configs = options.tune ? await options.tune(graph) : {};
  return { plan: compile(graph, { dims: options.dims, limits: options.limits, memoryBudget: options.memoryBudget, ...configs }), outputNpyTypes };
}

export async function compileCommand(args: readonly string[], io: CommandIO = consoleIO): Promise<CompileCommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      dim: { type: 'string', multiple: true },
      'input-shape': { type: 'string', multiple: true },
      'device-limits': { type: 'boolean', default: false },
      tune: { type: 'boolean', default: false },
      inference: { type: 'boolean', default: false },
      'runtime-import': { type: 'string' },
      'memory-budget': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`compile: expected one model file, got ${positionals.length}\n${COMPILE_USAGE}`);
  const memoryBudget = values['memory-budget'] === undefined ? undefined : parseByteSize(values['memory-budget'], 'compile: --memory-budget');
  if (!values.out) throw new UsageError('compile: -o <dir> is required');
  const dims = pairs(values.dim, '--dim', (v, text) => positiveInt(v, text, '--dim'));
  const inputShapes = pairs(values['input-shape'], '--input-shape', (v, text) => v.split(',').map((d) => positiveInt(d, text, '--input-shape')));
  // WebGPU's guaranteed limits by default: the artifact then loads on any adapter that fits its
  // sizes. --device-limits plans for this machine's adapter (e.g. a finer offset alignment).
  const device = values['device-limits'] || values.tune ? await getDefaultDevice() : undefined;
  const limits = device ? device.limits : { ...DEFAULT_LIMITS };
  const tune = device && values.tune ? (graph: Graph) => tunedCompileOptions(graph, device, { dims, onProgress: (line) => io.log(line) }) : undefined;
  const started = performance.now();
  const { plan, outputNpyTypes } = await compileModelFile(positionals[0], { dims, inputShapes, limits, inference: values.inference, tune, memoryBudget });
  const { dir, manifest } = await emitArtifact(plan, values.out, { compiledFor: limits, runtimeImport: values['runtime-import'], outputNpyTypes });
  const bytes = Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0);
  io.log(`compiled ${positionals[0]} → ${dir}: ${plan.kernels.length} kernels, ${plan.steps.length} dispatches, ${bytes} bytes in ${Object.keys(manifest.files).length + 1} files (${Math.round(performance.now() - started)} ms)`);
  if (memoryBudget !== undefined) io.log(`memory budget ${formatBytes(memoryBudget)}: arena ${formatBytes(plan.memory.arenaBytes)}, ${plan.memory.recomputedKernels} kernels recomputed`);
  return { dir, plan };
}

/** Output file names, as `dawnflow run model.onnx` names them: [A-Za-z0-9._-], unique ignoring case. */
function outputFileNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
    const base = safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
    let file = base;
    for (let k = 1; used.has(file.toLowerCase()); k++) file = `${base}_${k}`;
    used.add(file.toLowerCase());
    return `${file}.npy`;
  });
}

async function readInputFile(path: string, name: string, dtype: DType, npy: NpyCodec): Promise<HostTensor> {
  const what = `input '${name}' (${path})`;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new InputError(`cannot read input file for '${name}' '${path}': ${code === 'ENOENT' ? 'no such file' : (code ?? String(cause))}`, { cause });
  }
  if (path.endsWith('.npy')) return npy.npyToTensor(npy.parseNpy(bytes, what), dtype, what);
  if (!path.endsWith('.pb')) throw new InputError(`${what}: unknown file type (expected .npy or .pb)`);
  const [{ decodeTensorProto }, { decodeTensor }] = (await Promise.all([import(ONNX_PROTO), import(ONNX_TENSOR)])) as [TensorProtoReader, TensorProtoReader];
  const decoded = decodeTensor(decodeTensorProto(bytes, what), { what });
  if (decoded.tensor.dtype !== dtype) throw new InputError(`${what}: holds ${decoded.tensor.dtype} values, the model expects ${dtype}`);
  if (decoded.wide) throw new InputError(`${what}: holds int64 values that do not fit in 32 bits`);
  return decoded.tensor;
}

async function readInputs(artifact: LoadedArtifact, specs: readonly string[], npy: NpyCodec): Promise<Record<string, HostTensor>> {
  const given = new Map<string, string>();
  for (const text of specs) {
    const at = text.indexOf('=');
    if (at <= 0 || at === text.length - 1) throw new UsageError(`run: --input ${text}: expected <name>=<file>`);
    const name = text.slice(0, at);
    if (given.has(name)) throw new UsageError(`run: input '${name}' given twice`);
    given.set(name, text.slice(at + 1));
  }
  const inputs: Record<string, HostTensor> = {};
  for (const [name, path] of given) {
    const spec = artifact.inputs.find((i) => i.name === name);
    if (!spec) throw new InputError(`the model has no input '${name}' (inputs: ${artifact.inputs.map((i) => i.name).join(', ') || 'none'})`);
    inputs[name] = await readInputFile(path, name, spec.dtype, npy);
  }
  const missing = artifact.inputs.filter((i) => !given.has(i.name)).map((i) => `'${i.name}' (${formatType(i)})`);
  if (missing.length > 0) throw new InputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (give --input <name>=<file>)`);
  return inputs;
}

export async function runArtifactCommand(args: readonly string[], io: CommandIO = consoleIO): Promise<RunArtifactCommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i', multiple: true },
      out: { type: 'string', short: 'o' },
      weights: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`run: expected one artifact directory, got ${positionals.length}\n${RUN_ARTIFACT_USAGE}`);
  if (!values.out) throw new UsageError('run: --out <dir> is required');
  const npy = (await import(NPY_CODEC)) as NpyCodec;
  const artifact = await loadArtifact(positionals[0], values.weights ? { weights: values.weights, unusedWeights: 'ignore' } : {});
  try {
    const inputs = await readInputs(artifact, values.input ?? [], npy);
    const results = await artifact.run(inputs);
    await mkdir(values.out, { recursive: true });
    const outputs: Record<string, string> = {};
    const names = artifact.outputs.map((o) => o.name);
    const files = outputFileNames(names);
    for (const [i, name] of names.entries()) {
      const tensor = results[name];
      const path = join(values.out, files[i]);
      await writeFile(path, npy.encodeNpy(tensor, artifact.outputNpyTypes[name]));
      outputs[name] = path;
      io.log(`${name}: ${formatType(tensor)} -> ${path}`);
    }
    return { outputs };
  } finally {
    artifact.dispose();
  }
}
