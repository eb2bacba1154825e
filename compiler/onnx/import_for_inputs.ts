import type { HostTensor } from '../../ir/index.js';
import { ConstantRequiredError } from './context.js';
import type { OnnxImport, OnnxImportOptions } from './import.js';
import { importOnnxModel } from './import.js';
import type { ModelProto } from './proto.js';
import type { DecodedTensor } from './tensor_proto.js';

export interface SpecializedImport {
  readonly imported: OnnxImport;
  /** Inputs bound as constants at import because an op needed their values. */
  readonly constantInputs: readonly string[];
}

/**
 * Imports a model for one concrete set of inputs (the CLI's `run`, the conformance runner):
 * every input's shape is fixed, so shape computations fold. When an op needs the value of an
 * input at import time — Reshape's shape or TopK's k fed as a graph input, as the ONNX backend
 * tests do — that input is bound as a constant and the import retried; when the needed value is
 * computed from inputs, all non-float inputs are bound at once. Float inputs stay run-time data.
 */
export function importForInputs(
  model: ModelProto,
  inputs: ReadonlyMap<string, HostTensor | DecodedTensor>,
  options: Omit<OnnxImportOptions, 'inputShapes' | 'constantInputs'> = {},
): SpecializedImport {
  const tensorOf = (t: HostTensor | DecodedTensor): HostTensor => ('tensor' in t ? t.tensor : t);
  const constants = new Set<string>();
  let boundAllParameters = false;
  for (;;) {
    const runtime = [...inputs].filter(([name]) => !constants.has(name));
    const inputShapes = Object.fromEntries(runtime.map(([name, t]) => [name, tensorOf(t).shape]));
    const constantInputs = Object.fromEntries([...constants].map((name) => [name, inputs.get(name)!]));
    try {
      return { imported: importOnnxModel(model, { ...options, inputShapes, constantInputs }), constantInputs: [...constants] };
    } catch (e) {
      if (!(e instanceof ConstantRequiredError)) throw e;
      if (inputs.has(e.valueName) && !constants.has(e.valueName)) constants.add(e.valueName);
      else if (!boundAllParameters) {
        boundAllParameters = true;
        for (const [name, t] of inputs) if (tensorOf(t).dtype !== 'f32') constants.add(name);
      } else throw e;
    }
  }
}
