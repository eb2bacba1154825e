import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { DType, Graph, HostTensor, Plan } from '../../ir/index.js';
import { ModelFormatError, UsageError } from '../../ir/index.js';
import type { LoadedArtifact } from '../../runtime/artifact/index.js';
import { loadArtifact } from '../../runtime/artifact/index.js';
import { getDefaultDevice } from '../../runtime/device.js';
import { compile, DEFAULT_LIMITS } from '../compile.js';
import { runPasses } from '../pipeline.js';
import { buildEvalGraph, buildTrainingGraph } from '../train/compile_training.js';
import type { TrainingSpec } from '../train/compile_training.js';
import { emitArtifact } from './emit.js';

/**
 * The artifact commands of the CLI, as functions bin/dawnflow.ts calls with its arguments:
 *
 *   dawnflow compile <model.onnx | module.ts | module.js> -o <dir> [--dim name=N]...
 *            [--input-shape name=1,3,224,224]... [--device-limits] [--inference]
 *            [--runtime-import <specifier>]
 *   dawnflow run <artifact dir> --input name=file.npy ... --out <dir> [--weights file.safetensors]
 *
 * Both throw typed errors (UsageError for bad arguments) and print through `io.log`.
 */

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
  ): { graph: Graph };
}

/** The part of runtime/io/npy's API used here. */
interface NpyCodec {
  parseNpy(bytes: Uint8Array, what?: string): unknown;
  npyToTensor(array: unknown, dtype: DType, what?: string): HostTensor;
  encodeNpy(tensor: HostTensor): Uint8Array;
}

// Resolved at run time: each command needs only its own module, and a bundle of these
// functions must not pull the ONNX parser into `dawnflow run`.
const ONNX_IMPORTER = '../onnx/import.js';
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
async function graphOfModule(path: string, inference: boolean): Promise<{ graph: Graph; optimize: boolean }> {
  const module = await importModule(path);
  let value: unknown = module.default ?? module.model ?? module.graph;
  if (value === undefined) throw new UsageError(`${path}: exports no default, 'model' or 'graph' (exports: ${Object.keys(module).join(', ') || 'none'})`);
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (isTrainingSpec(value)) return { graph: inference ? buildEvalGraph(value) : buildTrainingGraph(value).graph, optimize: false };
  if (!isGraph(value) && isGraph((value as { graph?: unknown } | null)?.graph)) value = (value as { graph: Graph }).graph;
  if (!isGraph(value)) throw new UsageError(`${path}: its export is not a Graph, an object with a 'graph', or a TrainingSpec`);
  return { graph: value, optimize: true };
}

export interface ModelFileOptions {
  readonly dims?: Readonly<Record<string, number>>;
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly limits?: Readonly<Record<string, number>>;
  /** For a TrainingSpec module: its evaluation graph rather than its training step. */
  readonly inference?: boolean;
}

/** Model file → Plan, exactly as `dawnflow compile` builds it (tests compare against this). */
export async function compileModelFile(path: string, options: ModelFileOptions = {}): Promise<Plan> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  let graph: Graph;
  let optimize = true;
  if (extension === '.onnx') {
    const { importOnnx } = (await import(ONNX_IMPORTER)) as OnnxImporter;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (cause) {
      throw new ModelFormatError(`${path}: cannot read (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    }
    graph = importOnnx(bytes, { source: basename(file), baseDir: dirname(file), dims: options.dims, inputShapes: options.inputShapes }).graph;
  } else if (/^\.[cm]?[jt]s$/.test(extension)) {
    ({ graph, optimize } = await graphOfModule(file, options.inference ?? false));
  } else {
    throw new UsageError(`${path}: expected an .onnx model or a .ts/.js module`);
  }
  return compile(optimize ? runPasses(graph) : graph, { dims: options.dims, limits: options.limits });
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
      inference: { type: 'boolean', default: false },
      'runtime-import': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('usage: dawnflow compile <model.onnx | module.ts> -o <dir> [--dim name=N] [--input-shape name=d0,d1,...]');
  if (!values.out) throw new UsageError('dawnflow compile: -o <dir> is required');
  const dims = pairs(values.dim, '--dim', (v, text) => positiveInt(v, text, '--dim'));
  const inputShapes = pairs(values['input-shape'], '--input-shape', (v, text) => v.split(',').map((d) => positiveInt(d, text, '--input-shape')));
  // WebGPU's guaranteed limits by default: the artifact then loads on any adapter that fits its
  // sizes. --device-limits plans for this machine's adapter (e.g. a finer offset alignment).
  const limits = values['device-limits'] ? (await getDefaultDevice()).limits : { ...DEFAULT_LIMITS };
  const started = performance.now();
  const plan = await compileModelFile(positionals[0], { dims, inputShapes, limits, inference: values.inference });
  const { dir, manifest } = await emitArtifact(plan, values.out, { compiledFor: limits, runtimeImport: values['runtime-import'] });
  const bytes = Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0);
  io.log(`compiled ${positionals[0]} → ${dir}: ${plan.kernels.length} kernels, ${plan.steps.length} dispatches, ${bytes} bytes in ${Object.keys(manifest.files).length + 1} files (${Math.round(performance.now() - started)} ms)`);
  return { dir, plan };
}

/** A tensor name as a file name: no directories, no hidden files. */
function fileNameOf(name: string): string {
  return `${name.replace(/[/\\:*?"<>|]/g, '_').replace(/^\./, '_') || 'output'}.npy`;
}

async function readInputs(artifact: LoadedArtifact, specs: readonly string[], npy: NpyCodec): Promise<Record<string, HostTensor>> {
  const inputs: Record<string, HostTensor> = {};
  for (const text of specs) {
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`--input ${text}: expected name=file.npy`);
    const name = text.slice(0, at);
    const path = text.slice(at + 1);
    const spec = artifact.inputs.find((i) => i.name === name);
    if (!spec) throw new UsageError(`--input ${text}: the model has no input '${name}' (inputs: ${artifact.inputs.map((i) => i.name).join(', ')})`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw new UsageError(`--input ${text}: cannot read ${path} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    }
    inputs[name] = npy.npyToTensor(npy.parseNpy(bytes, path), spec.dtype, path);
  }
  const missing = artifact.inputs.filter((i) => !(i.name in inputs)).map((i) => `${i.name} (${i.dtype}[${i.shape.join(',')}])`);
  if (missing.length > 0) throw new UsageError(`dawnflow run: missing --input for ${missing.join(', ')}`);
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
  if (positionals.length !== 1) throw new UsageError('usage: dawnflow run <artifact dir> --input name=file.npy ... --out <dir>');
  if (!values.out) throw new UsageError('dawnflow run: --out <dir> is required');
  const npy = (await import(NPY_CODEC)) as NpyCodec;
  const artifact = await loadArtifact(positionals[0], values.weights ? { weights: values.weights, unusedWeights: 'ignore' } : {});
  try {
    const inputs = await readInputs(artifact, values.input ?? [], npy);
    const results = await artifact.run(inputs);
    await mkdir(values.out, { recursive: true });
    const outputs: Record<string, string> = {};
    for (const [name, tensor] of Object.entries(results)) {
      const path = join(values.out, fileNameOf(name));
      await writeFile(path, npy.encodeNpy(tensor));
      outputs[name] = path;
      io.log(`${name}: ${tensor.dtype}[${tensor.shape.join(',')}] → ${path}`);
    }
    return { outputs };
  } finally {
    artifact.dispose();
  }
}
