import { normalArray, uniformStream, seedOf } from '../seeded_random.js';
import { OnnxModelBuilder } from './onnx_builder.js';

/**
 * The MNIST MLP training step every peer runs: 784-ReLU-10 (hidden width configurable),
 * softmax cross-entropy averaged over the batch, one plain SGD update. The initial parameters
 * and the batch are deterministic, so each peer's parameters after one step can be compared.
 *
 * onnxruntime has no training here, so the reference is the same step written out as an
 * inference graph (forward, the hand-derived backward, the update): onnxruntime-node's CPU
 * provider computes it in float32 like everyone else.
 */

export interface MlpShape {
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  readonly learningRate: number;
}

export const MLP_PARAMETERS = ['w1', 'b1', 'w2', 'b2'] as const;
export type MlpParameter = (typeof MLP_PARAMETERS)[number];

export function mlpParameterShapes(s: MlpShape): Record<MlpParameter, number[]> {
  return { w1: [s.inputs, s.hidden], b1: [s.hidden], w2: [s.hidden, s.classes], b2: [s.classes] };
}

/** He-normal weights, small random biases. */
export function mlpInitialParameters(s: MlpShape): Record<MlpParameter, Float32Array> {
  return {
    w1: normalArray('mlp/w1', s.inputs * s.hidden, Math.sqrt(2 / s.inputs)),
    b1: normalArray('mlp/b1', s.hidden, 0.01),
    w2: normalArray('mlp/w2', s.hidden * s.classes, Math.sqrt(2 / s.hidden)),
    b2: normalArray('mlp/b2', s.classes, 0.01),
  };
}

/** A batch of "images" in [0, 1) and one-hot labels. */
export function mlpBatch(s: MlpShape): { x: Float32Array; labels: Float32Array } {
  const next = uniformStream(seedOf('mlp/batch'));
  const x = new Float32Array(s.batch * s.inputs);
  for (let i = 0; i < x.length; i++) x[i] = next();
  const labels = new Float32Array(s.batch * s.classes);
  for (let b = 0; b < s.batch; b++) labels[b * s.classes + Math.floor(next() * s.classes)] = 1;
  return { x, labels };
}

/** Inputs x, labels, w1, b1, w2, b2 → outputs loss, w1_next, b1_next, w2_next, b2_next. */
export function mlpStepModel(s: MlpShape): Uint8Array {
  const m = new OnnxModelBuilder('mlp_sgd_step');
  const shapes = mlpParameterShapes(s);
  const x = m.input('x', [s.batch, s.inputs]);
  const labels = m.input('labels', [s.batch, s.classes]);
  const p = Object.fromEntries(MLP_PARAMETERS.map((name) => [name, m.input(name, shapes[name])])) as Record<MlpParameter, string>;

  const z1 = m.op('Add', [m.op('MatMul', [x, p.w1]), p.b1]);
  const h = m.op('Relu', [z1]);
  const z2 = m.op('Add', [m.op('MatMul', [h, p.w2]), p.b2]);
  const perSample = m.op('ReduceSum', [m.op('Mul', [labels, m.op('LogSoftmax', [z2], { axis: 1 })]), m.ints('class_axis', [1])], { keepdims: 0 });
  m.node('Neg', [m.op('ReduceMean', [perSample], { keepdims: 0 })], {}, ['loss']);

  const batchAxis = m.ints('batch_axis', [0]);
  const dz2 = m.op('Div', [m.op('Sub', [m.op('Softmax', [z2], { axis: 1 }), labels]), m.scalar('batch', s.batch)]);
  const grads: Record<MlpParameter, string> = {
    w2: m.op('MatMul', [m.op('Transpose', [h], { perm: [1, 0] }), dz2]),
    b2: m.op('ReduceSum', [dz2, batchAxis], { keepdims: 0 }),
    w1: '',
    b1: '',
  };
  const dh = m.op('MatMul', [dz2, m.op('Transpose', [p.w2], { perm: [1, 0] })]);
  const dz1 = m.op('Mul', [dh, m.op('Cast', [m.op('Greater', [z1, m.scalar('zero', 0)])], { to: 1 })]);
  grads.w1 = m.op('MatMul', [m.op('Transpose', [x], { perm: [1, 0] }), dz1]);
  grads.b1 = m.op('ReduceSum', [dz1, batchAxis], { keepdims: 0 });

  const lr = m.scalar('learning_rate', s.learningRate);
  m.output('loss', []);
  for (const name of MLP_PARAMETERS) {
    m.node('Sub', [p[name], m.op('Mul', [grads[name], lr])], {}, [`${name}_next`]);
    m.output(`${name}_next`, shapes[name]);
  }
  return m.encode();
}
