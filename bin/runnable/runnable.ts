import type { HostTensor } from '../../ir/index.js';
import type { Executable } from '../../runtime/index.js';
import { isDirectory, isModulePath } from '../files.js';
import type { InputSpec } from '../inputs.js';
import type { CliIO } from '../io.js';
import type { OutputSpec } from '../outputs.js';

/**
 * What `dawnflow run` runs: a compiled artifact (a directory), a DSL module (.ts/.js) or an ONNX
 * model (any other file). Each says which inputs it declares, then turns the input values into
 * an executable on the device; the command reads inputs, runs and writes outputs the same way
 * for all three.
 */
export interface Runnable {
  /** The inputs the model declares: what the input files are read as. */
  readonly inputs: readonly InputSpec[];
  /** Compiles (a model, for these inputs' shapes) or hands over (an artifact) the executable. */
  prepare(inputs: ReadonlyMap<string, HostTensor>): Promise<PreparedRun>;
  /** Releases what prepare() or opening put on the device. */
  dispose(): void;
}

export interface PreparedRun {
  readonly executable: Executable;
  /** The tensors to run on: the inputs that stayed run-time inputs (an ONNX import may bind some as constants). */
  readonly feed: Readonly<Record<string, HostTensor>>;
  readonly outputs: readonly OutputSpec[];
}

export interface RunnableOptions {
  /** A safetensors file replacing an artifact's weights of the same names. */
  readonly weights?: string;
  /** Time kernel configurations on the adapter and compile with the fastest (models only). */
  readonly tune?: boolean;
}

export type RunnableKind = 'artifact' | 'module' | 'onnx';

export function runnableKind(path: string): RunnableKind {
  if (isDirectory(path)) return 'artifact';
  return isModulePath(path) ? 'module' : 'onnx';
}

/**
 * Opens what `path` names. Each kind is imported only when used: running an artifact loads no
 * compiler code (test/artifact/cli.test.ts runs it with the compiler's imports forbidden).
 */
export async function openRunnable(path: string, kind: RunnableKind, options: RunnableOptions, io: CliIO): Promise<Runnable> {
  switch (kind) {
    case 'artifact':
      return (await import('./artifact.js')).openArtifact(path, options);
    case 'module':
      return (await import('./dsl_module_model.js')).openDslModule(path, options, io);
    case 'onnx':
      return (await import('./onnx_model.js')).openOnnxModel(path, options, io);
  }
}
