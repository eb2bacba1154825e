import type { HostTensor } from '../../ir/index.js';
import type { Executable } from '../../runtime/index.js';
import type { InputSpec } from '../inputs.js';
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
