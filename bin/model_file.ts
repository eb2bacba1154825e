import { basename, dirname, extname, resolve } from 'node:path';
import type { CompileOptions } from '../compiler/compile.js';
import { compile } from '../compiler/compile.js';
import { importOnnxModel } from '../compiler/onnx/import.js';
import type { ModelProto } from '../compiler/onnx/proto.js';
import { modelSignature } from '../compiler/onnx/signature.js';
import { decodeModel } from '../compiler/onnx/proto.js';
import type { Dim, DimFact, Graph, Plan } from '../ir/index.js';
import { dimSymbols, splitDims, UsageError } from '../ir/index.js';
import { graphOfModule } from './dsl_module.js';
import { isModulePath, readBytes } from './files.js';
import { outputNpyTypes } from './onnx_npy.js';

/** Model files as the CLI reads them: an ONNX file, or a DSL module (see dsl_module.ts). */

export interface ModelFile {
  readonly path: string;
  /** The model file's directory: external tensor data is read relative to it. */
  readonly baseDir: string;
  readonly model: ModelProto;
  /** The file's bytes (what the plan cache keys an ONNX model by). */
  readonly bytes: Uint8Array;
}

/** Reads and decodes an ONNX file; a missing or undecodable file is a one-line typed error naming it. */
export function readModelFile(path: string): ModelFile {
  const bytes = readBytes(path, 'model');
  return { path, baseDir: dirname(resolve(path)), model: decodeModel(bytes, `model '${path}'`), bytes };
}

/** The symbolic dims a model's inputs declare: each named dim (an ONNX dim_param) and the symbols it mentions. */
function declaredDims(shapes: readonly (readonly Dim[] | null)[]): string[] {
  const names = new Set<string>();
  for (const d of shapes.flatMap((s) => s ?? [])) {
    if (typeof d !== 'string') continue;
    names.add(d);
    for (const symbol of dimSymbols(d)) names.add(symbol);
  }
  return [...names].sort();
}

export function onnxDimNames(model: ModelProto): string[] {
  return declaredDims(modelSignature(model).inputs.map((i) => i.shape));
}

export function graphDimNames(graph: Graph): string[] {
  return declaredDims(graph.inputs.map((i) => i.type.shape));
}

/**
 * `--dim`/`--at` names must be dims the model has: a name it lacks is a typo or another model's
 * dim, and ignoring it would compile something other than what was asked for.
 */
export function checkDimNames(names: Iterable<string>, known: readonly string[], path: string, flag = '--dim'): void {
  for (const name of names) {
    if (!known.includes(name)) throw new UsageError(`${flag} ${name}: ${path} has no symbolic dim '${name}' (its symbolic dims: ${known.length ? known.join(', ') : 'none'})`);
  }
}

export function isOnnxPath(path: string): boolean {
  return extname(path).toLowerCase() === '.onnx';
}

export interface ModelFileOptions {
  /** Sizes fix symbolic dims; facts (bounds, divisors) describe those that stay symbolic. */
  readonly dims?: Readonly<Record<string, number | DimFact>>;
  /** Concrete shapes for an ONNX model's inputs. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly limits?: Readonly<Record<string, number>>;
  /** For a TrainingSpec module: its evaluation graph rather than its training step. */
  readonly inference?: boolean;
  /** Kernel configurations for the graph (`--tune`: measured on the adapter). */
  readonly tune?: (graph: Graph) => Promise<TunedConfigs>;
  /** The most bytes the arena may take (`--memory-budget`, CompileOptions.memoryBudget). */
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
 * ONNX model is imported as `dawnflow run model.onnx` imports it, so an artifact's outputs equal
 * that command's.
 */
export async function compileModelFile(path: string, options: ModelFileOptions = {}): Promise<CompiledModelFile> {
  let graph: Graph;
  let npyTypes: Record<string, string> = {};
  if (isOnnxPath(path)) {
    const { model, baseDir } = readModelFile(path);
    checkDimNames(Object.keys(options.dims ?? {}), onnxDimNames(model), path);
    const imported = importOnnxModel(model, { source: basename(path), baseDir, dims: splitDims(options.dims).sizes, inputShapes: options.inputShapes });
    graph = imported.graph;
    npyTypes = outputNpyTypes(imported.outputs);
  } else if (isModulePath(path)) {
    graph = await graphOfModule(resolve(path), options.inference ?? false);
    checkDimNames(Object.keys(options.dims ?? {}), graphDimNames(graph), path);
  } else {
    throw new UsageError(`${path}: expected an .onnx model or a .ts/.js module`);
  }
  const configs = options.tune ? await options.tune(graph) : {};
  return { plan: compile(graph, { dims: options.dims, limits: options.limits, memoryBudget: options.memoryBudget, ...configs }), outputNpyTypes: npyTypes };
}
