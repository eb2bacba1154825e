import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { UsageError } from '../../ir/index.js';
import type { Module } from '../dsl/module.js';
import { Trace } from '../dsl/trace.js';
import { toOnnx } from '../onnx/export.js';

export interface ModelExportOptions {
  /** Shape of one example (the batch axis is added in front). */
  readonly exampleShape: StaticShape;
  /** Examples per run of the exported model: a size, or a dim name for any size (DSL models; an imported ONNX model needs a size). */
  readonly batch: number | string;
  readonly dtype?: DType;
  /** The ONNX input's and output's names (default 'input', 'output'). */
  readonly inputName?: string;
  readonly outputName?: string;
  /**
   * Parameter values by name, e.g. `await trainer.snapshot()` after training (extra entries,
   * such as optimizer moments, are ignored); absent ones export their current host values.
   */
  readonly values?: Readonly<Record<string, HostTensor>>;
}

/**
 * A model (a DSL module, an imported ONNX model with a DSL head, ...) as an ONNX file: its
 * forward pass in evaluation mode, the parameters as initializers with the values given (the
 * trained ones), frozen weights as they are. onnxruntime runs it with dawnflow's numbers.
 */
export function exportModel(model: Module, options: ModelExportOptions): Uint8Array {
  const { batch } = options;
  if (typeof batch === 'number' ? !Number.isInteger(batch) || batch < 1 : batch === '') throw new UsageError(`exportModel: batch ${batch} must be a positive integer or a dim name`);
  const parameters = model.parameters();
  const values = options.values ?? {};
  for (const p of parameters) if (!p.initialized) throw new UsageError(`exportModel: parameter '${p.name}' is not initialized (compile its training or call model.initialize(seed) first)`);
  const trace = new Trace(options.outputName ?? 'model', { mode: 'eval' });
  const x = trace.input(options.inputName ?? 'input', options.dtype ?? 'f32', [batch, ...options.exampleShape]);
  trace.output(model.call(x), options.outputName ?? 'output');
  const states = new Map<string, HostTensor>();
  for (const p of parameters) {
    const v = values[p.name];
    if (v) states.set(p.name, v);
  }
  return toOnnx(trace.graph, { states });
}
