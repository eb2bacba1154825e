import { pathToFileURL } from 'node:url';
import type { TrainingSpec } from '../compiler/train/compile_training.js';
import { buildEvalGraph, buildTrainingGraph } from '../compiler/train/compile_training.js';
import type { Graph } from '../ir/index.js';
import { UsageError } from '../ir/index.js';

/**
 * A DSL model as a file: a module.ts / module.js whose default export (else `model`, else
 * `graph`) is a Graph, an object with a `graph` (a DSL Trace), a TrainingSpec, or a function
 * returning one of those. `compile`, `run` and `export` take models this way.
 */

function isGraph(value: unknown): value is Graph {
  const g = value as Partial<Graph> | null;
  return typeof g === 'object' && g !== null && Array.isArray(g.nodes) && Array.isArray(g.inputs) && Array.isArray(g.outputs) && g.constants instanceof Map && g.states instanceof Map;
}

function isTrainingSpec(value: unknown): value is TrainingSpec {
  const s = value as Partial<TrainingSpec> | null;
  return typeof s === 'object' && s !== null && 'model' in s && typeof s.loss === 'function' && 'optimizer' in s && typeof s.batchSize === 'number';
}

/** Imports a module.ts / module.js; TypeScript through tsx when this Node cannot import it itself. */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (!/\.[cm]?ts$/i.test(path)) return (await import(url)) as Record<string, unknown>;
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
 * The graph a module exports. A TrainingSpec gives its training step, or its evaluation graph
 * with `inference`.
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
