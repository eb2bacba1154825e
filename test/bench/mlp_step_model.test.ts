import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { MlpShape } from '../../bench/models/mlp_step.js';
import { MLP_PARAMETERS, mlpBatch, mlpInitialParameters, mlpStepModel } from '../../bench/models/mlp_step.js';

// The train-step case checks every peer against onnxruntime-node running the step written out
// as an ONNX graph (forward, hand-derived backward, SGD). This checks that graph itself against
// a plain float64 implementation of the same step.

const shape: MlpShape = { batch: 5, inputs: 7, hidden: 6, classes: 3, learningRate: 0.3 };

function referenceStep(s: MlpShape): Record<string, Float64Array> {
  const { x, labels } = mlpBatch(s);
  const p = mlpInitialParameters(s);
  const { batch: B, inputs: I, hidden: H, classes: C } = s;
  const z1 = new Float64Array(B * H);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
    let acc = p.b1[h];
    for (let i = 0; i < I; i++) acc += x[b * I + i] * p.w1[i * H + h];
    z1[b * H + h] = acc;
  }
  const act = z1.map((v) => Math.max(v, 0));
  const dz2 = new Float64Array(B * C);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const z = Array.from({ length: C }, (_, c) => {
      let acc = p.b2[c];
      for (let h = 0; h < H; h++) acc += act[b * H + h] * p.w2[h * C + c];
      return acc;
    });
    const max = Math.max(...z);
    const sum = z.reduce((a, v) => a + Math.exp(v - max), 0);
    for (let c = 0; c < C; c++) {
      const prob = Math.exp(z[c] - max) / sum;
      loss -= (labels[b * C + c] * (z[c] - max - Math.log(sum))) / B;
      dz2[b * C + c] = (prob - labels[b * C + c]) / B;
    }
  }
  const gw2 = new Float64Array(H * C);
  const gb2 = new Float64Array(C);
  const dz1 = new Float64Array(B * H);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
    gb2[c] += dz2[b * C + c];
    for (let h = 0; h < H; h++) {
      gw2[h * C + c] += act[b * H + h] * dz2[b * C + c];
      if (z1[b * H + h] > 0) dz1[b * H + h] += dz2[b * C + c] * p.w2[h * C + c];
    }
  }
  const gw1 = new Float64Array(I * H);
  const gb1 = new Float64Array(H);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
    gb1[h] += dz1[b * H + h];
    for (let i = 0; i < I; i++) gw1[i * H + h] += x[b * I + i] * dz1[b * H + h];
  }
  const grads = { w1: gw1, b1: gb1, w2: gw2, b2: gb2 };
  const out: Record<string, Float64Array> = { loss: Float64Array.of(loss) };
  for (const name of MLP_PARAMETERS) out[`${name}_next`] = Float64Array.from(p[name], (v, i) => v - s.learningRate * grads[name][i]);
  return out;
}

describe('the MLP training-step ONNX graph (the train-step reference)', () => {
  it('computes the loss and the SGD-updated parameters of a float64 reference step', async () => {
    const session = await ort.InferenceSession.create(mlpStepModel(shape));
    const { x, labels } = mlpBatch(shape);
    const params = mlpInitialParameters(shape);
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', x, [shape.batch, shape.inputs]),
      labels: new ort.Tensor('float32', labels, [shape.batch, shape.classes]),
      w1: new ort.Tensor('float32', params.w1, [shape.inputs, shape.hidden]),
      b1: new ort.Tensor('float32', params.b1, [shape.hidden]),
      w2: new ort.Tensor('float32', params.w2, [shape.hidden, shape.classes]),
      b2: new ort.Tensor('float32', params.b2, [shape.classes]),
    };
    const got = await session.run(feeds);
    const expected = referenceStep(shape);
    for (const [name, want] of Object.entries(expected)) {
      const data = got[name].data as Float32Array;
      expect(data.length, name).toBe(want.length);
      want.forEach((v, i) => expect(data[i], `${name}[${i}]`).toBeCloseTo(v, 5));
    }
    // The step must actually move the parameters, or the check would compare initial values.
    expect(Math.max(...Array.from(expected.w2_next, (v, i) => Math.abs(v - params.w2[i])))).toBeGreaterThan(1e-3);
    await session.release();
  });
});
