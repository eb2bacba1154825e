import type { BenchCase } from './cases.js';
import { caseId } from './cases.js';
import { LIGHT_INPUT_SHAPE, LIGHT_MODELS } from './models/light_models.js';
import { CNN_PARAMETERS, cnnBatch, cnnInitialParameters, cnnParameterShapes } from './models/cnn_step.js';
import { MLP_PARAMETERS, mlpBatch, mlpInitialParameters, mlpParameterShapes } from './models/mlp_step.js';
import { normalArray } from './seeded_random.js';

/** A float32 tensor as every peer's process regenerates it: same name, same values. */
export interface F32Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type NamedTensors = Record<string, F32Tensor>;

function normal(c: BenchCase, name: string, shape: readonly number[]): F32Tensor {
  return { shape, data: normalArray(`${caseId(c)}/${name}`, shape.reduce((a, b) => a * b, 1)) };
}

/** The inputs of one run of a case, by the model's input names. */
export function caseInputs(c: BenchCase): NamedTensors {
  const spec = c.spec;
  switch (spec.kind) {
    case 'matmul':
      return { a: normal(c, 'a', [spec.n, spec.n]), b: normal(c, 'b', [spec.n, spec.n]) };
    case 'conv':
      return { x: normal(c, 'x', [1, spec.layer.inChannels, spec.layer.size, spec.layer.size]) };
    case 'light-model':
      return { [LIGHT_MODELS[spec.model].input]: normal(c, 'data', LIGHT_INPUT_SHAPE) };
    case 'transformer':
      return { x: normal(c, 'x', [1, spec.shape.seq, spec.shape.dModel]) };
    case 'mlp-step': {
      const s = spec.shape;
      const batch = mlpBatch(s);
      const params = mlpInitialParameters(s);
      const shapes = mlpParameterShapes(s);
      const inputs: NamedTensors = { x: { shape: [s.batch, s.inputs], data: batch.x }, labels: { shape: [s.batch, s.classes], data: batch.labels } };
      for (const name of MLP_PARAMETERS) inputs[name] = { shape: shapes[name], data: params[name] };
      return inputs;
    }
    case 'cnn-step': {
      const batch = cnnBatch(spec.shape);
      const params = cnnInitialParameters();
      const shapes = cnnParameterShapes();
      const inputs: NamedTensors = { x: { shape: [spec.shape.batch, 1, 28, 28], data: batch.x }, labels: { shape: [spec.shape.batch, 10], data: batch.labels } };
      for (const name of CNN_PARAMETERS) inputs[name] = { shape: shapes[name], data: params[name] };
      return inputs;
    }
    case 'dynamic': {
      const d = spec.sizes;
      switch (spec.model) {
        case 'matmul':
          return { a: normal(c, 'a', [d.M, spec.matmul!.k]), b: normal(c, 'b', [spec.matmul!.k, spec.matmul!.n]) };
        case 'squeezenet':
          return { [LIGHT_MODELS.squeezenet.input]: normal(c, 'data', [1, 3, d.H, d.W]) };
        case 'transformer':
          return { x: normal(c, 'x', [1, d.S, spec.transformer!.dModel]) };
      }
      return {};
    }
    default:
      return {};
  }
}
