import { describe, expect, it } from 'vitest';
import { grad } from '../../compiler/autodiff/index.js';
import type { OnnxModuleOptions } from '../../compiler/finetune/index.js';
import { OnnxModule } from '../../compiler/finetune/index.js';
import { Trace } from '../../compiler/dsl/trace.js';
import type { HostTensor, StaticShape, Value } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { randomTensor } from '../helpers/random.js';
import { bnOnInput, convBnGemm, lstm } from './models.js';

/**
 * Gradients of imported ONNX models, against central differences in float64: the model is an
 * OnnxModule in a training-mode trace (BatchNorm with batch statistics, Dropout dropping with
 * the trace's key), the loss Σ y·R with fixed random weights R, differentiated with respect to
 * every trainable initializer.
 */

interface Checked {
  readonly parameters: readonly string[];
  readonly mismatches: { parameter: string; element: number; autodiff: number; numeric: number }[];
  readonly checked: number;
  /** The largest |gradient| seen (a check of all-zero gradients would prove nothing). */
  readonly largest: number;
  /** Ops of the training-mode graph. */
  readonly ops: ReadonlySet<string>;
}

function lossTrace(model: OnnxModule, xShape: StaticShape): { trace: Trace; loss: ReturnType<Trace['wrap']> } {
  const trace = new Trace('gradcheck', { mode: 'train', seed: 5 });
  const y = model.call(trace.input('x', 'f32', xShape));
  const weights = randomTensor('f32', y.shape as number[], 99, -1, 1);
  const loss = y.mul(trace.constant(weights)).sum();
  trace.output(loss, 'loss');
  return { trace, loss };
}

function checkModel(bytes: Uint8Array, options: OnnxModuleOptions, xShape: StaticShape, h = 1e-6): Checked {
  const model = new OnnxModule(bytes, options);
  model.namedParameters();
  const x = randomTensor('f32', xShape, 17, -1.5, 1.5);
  const f64 = (t: HostTensor): HostTensor => ({ ...t, data: Float64Array.from(t.data) });

  const withGrads = lossTrace(model, xShape);
  const trainable = [...withGrads.trace.parameters].filter(([p]) => p.trainable);
  const grads = grad(withGrads.loss, trainable.map(([, v]) => withGrads.trace.wrap(v)));
  grads.forEach((g, i) => withGrads.trace.output(g!, `d${i}`));
  const analytic = interpret(withGrads.trace.graph, { x: f64(x) }, { f64: true }).outputs;

  // The loss alone, its states (the parameters) perturbed one element at a time.
  const { trace } = lossTrace(model, xShape);
  const states = new Map<Value, HostTensor>([...trace.graph.states].map(([v, t]) => [v, f64(t)]));
  const lossAt = () => Number(interpret(trace.graph, { x: f64(x) }, { f64: true, states }).outputs.loss.data[0]);
  const mismatches: Checked['mismatches'] = [];
  let checked = 0;
  let largest = 0;
  trainable.forEach(([parameter], i) => {
    const state = [...states.keys()].find((v) => v.name === parameter.name)!;
    const data = states.get(state)!.data as Float64Array;
    const g = analytic[`d${i}`].data;
    for (let k = 0; k < data.length; k++) {
      const x0 = data[k];
      data[k] = x0 + h;
      const up = lossAt();
      data[k] = x0 - h;
      const down = lossAt();
      data[k] = x0;
      const numeric = (up - down) / (2 * h);
      checked++;
      largest = Math.max(largest, Math.abs(numeric));
      if (!(Math.abs(numeric - Number(g[k])) <= 1e-6 + 1e-5 * Math.abs(numeric))) mismatches.push({ parameter: parameter.name, element: k, autodiff: Number(g[k]), numeric });
    }
  });
  return { parameters: trainable.map(([p]) => p.name), mismatches, checked, largest, ops: new Set(trace.graph.nodes.map((n) => n.op)) };
}

describe('gradients of imported ONNX models', () => {
  it('Conv, BatchNorm with batch statistics, Relu, Dropout, Gemm (transB, alpha, beta): every trainable initializer', () => {
    const r = checkModel(convBnGemm(2), { batchNorm: 'batch' }, [2, 2, 6, 6]);
    // The Dropout ratio is a scalar: never a parameter. BatchNorm's running statistics are buffers.
    expect(r.parameters).toEqual(['initializers.conv.w', 'initializers.conv.b', 'initializers.bn.scale', 'initializers.bn.bias', 'initializers.fc.w', 'initializers.fc.b']);
    expect(r.checked).toBe(54 + 3 + 3 + 3 + 192 + 4);
    expect(r.largest).toBeGreaterThan(0.1);
    // Training mode: batch statistics (reductions over the batch) and a dropout mask.
    expect(r.ops.has('randomUniform') && r.ops.has('reduceMean')).toBe(true);
    expect(r.mismatches.slice(0, 3), `${r.mismatches.length} of ${r.checked} mismatch`).toEqual([]);
  });

  it('BatchNorm with running statistics and a frozen convolution: only what trains gets a gradient', () => {
    const r = checkModel(convBnGemm(2), { batchNorm: 'running', trainable: /^(bn\.(scale|bias)|fc\.)/ }, [2, 2, 6, 6]);
    expect(r.parameters).toEqual(['initializers.bn.scale', 'initializers.bn.bias', 'initializers.fc.w', 'initializers.fc.b']);
    expect(r.mismatches.slice(0, 3), `${r.mismatches.length} of ${r.checked} mismatch`).toEqual([]);
  });

  it("LSTM (unrolled over 3 steps): W, R and B", () => {
    const r = checkModel(lstm(2), {}, [3, 2, 2]);
    expect(r.parameters).toEqual(['initializers.W', 'initializers.R', 'initializers.B']);
    expect(r.checked).toBe(24 + 36 + 24);
    expect(r.largest).toBeGreaterThan(0.01);
    expect(r.mismatches.slice(0, 3), `${r.mismatches.length} of ${r.checked} mismatch`).toEqual([]);
  });

  it('BatchNorm on the input: gradients of scale and bias through the batch statistics', () => {
    const r = checkModel(bnOnInput(4), { trainable: ['scale', 'bias'] }, [4, 3, 4, 4]);
    expect(r.parameters).toEqual(['initializers.scale', 'initializers.bias']);
    expect(r.largest).toBeGreaterThan(0.01);
    expect(r.mismatches.slice(0, 3), `${r.mismatches.length} of ${r.checked} mismatch`).toEqual([]);
  });
});
