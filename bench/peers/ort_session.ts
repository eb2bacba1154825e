import type { InferenceSession, Tensor, TypedTensor } from 'onnxruntime-common';
import type { BenchCase } from '../cases.js';
import type { NamedTensors } from '../case_inputs.js';
import { caseInputs } from '../case_inputs.js';
import type { PreparedCase } from './driver.js';
import { toF32 } from './driver.js';

/**
 * What onnxruntime-node and onnxruntime-web share: a session over the case's ONNX file, fed
 * host tensors each run, every output read back to the host.
 */

export type TensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => TypedTensor<'float32'>;

export interface OrtBinding {
  readonly Tensor: TensorConstructor;
  createSession(modelFile: string): Promise<InferenceSession>;
  /** Whether a session may be released after its case (onnxruntime-web: no, see there). */
  readonly releaseSessions: boolean;
}

export function tensorsOf(outputs: InferenceSession.ReturnType): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(outputs)) {
    const tensor = t as Tensor;
    out[name] = { shape: [...tensor.dims], data: toF32(tensor.data as ArrayLike<number>) };
  }
  return out;
}

export async function prepareOrtCase(binding: OrtBinding, c: BenchCase, modelFile: string, keep: InferenceSession[]): Promise<PreparedCase> {
  const session = await binding.createSession(modelFile);
  const inputs = caseInputs(c);
  const feeds = (): Record<string, TypedTensor<'float32'>> =>
    Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new binding.Tensor('float32', t.data, t.shape)]));
  const runOnce = async (): Promise<NamedTensors> => {
    const outputs = await session.run(feeds());
    // ORT's outputs may be host copies or device-backed: reading .data makes every peer pay the readback.
    const read = tensorsOf(outputs);
    for (const t of Object.values(outputs)) (t as Tensor).dispose();
    return read;
  };
  const note = c.spec.kind === 'mlp-step' || c.spec.kind === 'cnn-step' ? 'the step as a hand-derived ONNX graph; parameters travel host↔device each step' : undefined;
  return {
    first: runOnce,
    run: async () => {
      await runOnce();
    },
    dispose: async () => {
      if (binding.releaseSessions) await session.release();
      else keep.push(session);
    },
    ...(note ? { note } : {}),
  };
}
