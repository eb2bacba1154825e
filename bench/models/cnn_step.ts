import { normalArray, seedOf, uniformStream } from '../seeded_random.js';
import { OnnxModelBuilder } from './onnx_builder.js';

/**
 * The MNIST CNN training step (examples/mnist_models.ts's mnistCnn without dropout):
 * conv 1→8 5×5 stride 2 pad 2, ReLU, conv 8→16 3×3 stride 2 pad 1, ReLU, flatten (NCHW order),
 * linear 784→64, ReLU, linear 64→10; softmax cross-entropy averaged over the batch; one plain
 * SGD update. Deterministic initial parameters and batch, so every peer's parameters after one
 * step can be compared.
 *
 * onnxruntime has no training here, so the reference is the step written out as an inference
 * graph with its backward derived by hand: a strided conv's input gradient is a ConvTranspose of
 * the output gradient; its weight gradient is a Conv whose "batch" is the input channels and
 * whose kernel is the output gradient dilated by the stride (then cropped to the kernel size).
 */

export interface CnnShape {
  readonly batch: number;
  readonly learningRate: number;
}

export const CNN_PARAMETERS = ['c1w', 'c1b', 'c2w', 'c2b', 'f1w', 'f1b', 'f2w', 'f2b'] as const;
export type CnnParameter = (typeof CNN_PARAMETERS)[number];

/** The two convs: channels in/out, kernel, stride, padding; input and output sizes. */
export const CNN_CONVS = [
  { cin: 1, cout: 8, k: 5, stride: 2, pad: 2, size: 28, out: 14 },
  { cin: 8, cout: 16, k: 3, stride: 2, pad: 1, size: 14, out: 7 },
] as const;
const FLAT = 16 * 7 * 7;
const HIDDEN = 64;
const CLASSES = 10;

export function cnnParameterShapes(): Record<CnnParameter, number[]> {
  const [a, b] = CNN_CONVS;
  return {
    c1w: [a.cout, a.cin, a.k, a.k],
    c1b: [a.cout],
    c2w: [b.cout, b.cin, b.k, b.k],
    c2b: [b.cout],
    f1w: [FLAT, HIDDEN],
    f1b: [HIDDEN],
    f2w: [HIDDEN, CLASSES],
    f2b: [CLASSES],
  };
}

/** He-normal weights (fan-in), small random biases. */
export function cnnInitialParameters(): Record<CnnParameter, Float32Array> {
  const shapes = cnnParameterShapes();
  const out = {} as Record<CnnParameter, Float32Array>;
  for (const name of CNN_PARAMETERS) {
    const shape = shapes[name];
    const n = shape.reduce((x, y) => x * y, 1);
    const fanIn = name.startsWith('c') ? shape.slice(1).reduce((x, y) => x * y, 1) : shape[0];
    out[name] = shape.length === 1 ? normalArray(`cnn/${name}`, n, 0.01) : normalArray(`cnn/${name}`, n, Math.sqrt(2 / fanIn));
  }
  return out;
}

/** A batch of 28×28 "images" in [0, 1) (NCHW, one channel) and one-hot labels. */
export function cnnBatch(s: CnnShape): { x: Float32Array; labels: Float32Array } {
  const next = uniformStream(seedOf('cnn/batch'));
  const x = new Float32Array(s.batch * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = next();
  const labels = new Float32Array(s.batch * CLASSES);
  for (let b = 0; b < s.batch; b++) labels[b * CLASSES + Math.floor(next() * CLASSES)] = 1;
  return { x, labels };
}

/** Inputs x [B,1,28,28], labels [B,10] and the parameters → loss and each `<name>_next`. */
export function cnnStepModel(s: CnnShape): Uint8Array {
  const m = new OnnxModelBuilder('cnn_sgd_step');
  const shapes = cnnParameterShapes();
  const x = m.input('x', [s.batch, 1, 28, 28]);
  const labels = m.input('labels', [s.batch, CLASSES]);
  const p = Object.fromEntries(CNN_PARAMETERS.map((name) => [name, m.input(name, shapes[name])])) as Record<CnnParameter, string>;
  const [c1, c2] = CNN_CONVS;
  const convAttrs = (c: (typeof CNN_CONVS)[number]) => ({ kernel_shape: [c.k, c.k], strides: [c.stride, c.stride], pads: [c.pad, c.pad, c.pad, c.pad] });

  // Forward.
  const z1 = m.op('Conv', [x, p.c1w, p.c1b], convAttrs(c1));
  const h1 = m.op('Relu', [z1]);
  const z2 = m.op('Conv', [h1, p.c2w, p.c2b], convAttrs(c2));
  const h2 = m.op('Relu', [z2]);
  const flat = m.op('Reshape', [h2, m.ints('flat_shape', [s.batch, FLAT])]);
  const z3 = m.op('Add', [m.op('MatMul', [flat, p.f1w]), p.f1b]);
  const h3 = m.op('Relu', [z3]);
  const z4 = m.op('Add', [m.op('MatMul', [h3, p.f2w]), p.f2b]);
  const perSample = m.op('ReduceSum', [m.op('Mul', [labels, m.op('LogSoftmax', [z4], { axis: 1 })]), m.ints('class_axis', [1])], { keepdims: 0 });
  m.node('Neg', [m.op('ReduceMean', [perSample], { keepdims: 0 })], {}, ['loss']);

  // Backward.
  const zero = m.scalar('zero', 0);
  const reluGrad = (dy: string, z: string) => m.op('Mul', [dy, m.op('Cast', [m.op('Greater', [z, zero])], { to: 1 })]);
  const sumOver = (t: string, axes: number[], name: string) => m.op('ReduceSum', [t, m.ints(name, axes)], { keepdims: 0 });
  const dz4 = m.op('Div', [m.op('Sub', [m.op('Softmax', [z4], { axis: 1 }), labels]), m.scalar('batch', s.batch)]);
  const grads = {} as Record<CnnParameter, string>;
  grads.f2w = m.op('MatMul', [m.op('Transpose', [h3], { perm: [1, 0] }), dz4]);
  grads.f2b = sumOver(dz4, [0], 'axes_b');
  const dz3 = reluGrad(m.op('MatMul', [dz4, m.op('Transpose', [p.f2w], { perm: [1, 0] })]), z3);
  grads.f1w = m.op('MatMul', [m.op('Transpose', [flat], { perm: [1, 0] }), dz3]);
  grads.f1b = sumOver(dz3, [0], 'axes_b1');
  const dflat = m.op('MatMul', [dz3, m.op('Transpose', [p.f1w], { perm: [1, 0] })]);
  const dz2 = reluGrad(m.op('Reshape', [dflat, m.ints('h2_shape', [s.batch, c2.cout, c2.out, c2.out])]), z2);
  /** dW of a strided conv: Conv(inputᵀ [Cin,B,H,W], dyᵀ [Cout,B,OH,OW], dilated by the stride) → [Cin,Cout,≥k,≥k], cropped and transposed. */
  const weightGrad = (input: string, dy: string, c: (typeof CNN_CONVS)[number], tag: string) => {
    const full = m.op('Conv', [m.op('Transpose', [input], { perm: [1, 0, 2, 3] }), m.op('Transpose', [dy], { perm: [1, 0, 2, 3] })], {
      dilations: [c.stride, c.stride],
      pads: [c.pad, c.pad, c.pad, c.pad],
    });
    const cropped = m.op('Slice', [full, m.ints(`${tag}_starts`, [0, 0]), m.ints(`${tag}_ends`, [c.k, c.k]), m.ints(`${tag}_axes`, [2, 3])]);
    return m.op('Transpose', [cropped], { perm: [1, 0, 2, 3] });
  };
  grads.c2w = weightGrad(h1, dz2, c2, 'c2');
  grads.c2b = sumOver(dz2, [0, 2, 3], 'axes_c2');
  // dx of conv 2: the transposed conv of dz2 back to 14×14 (output_padding covers the stride's remainder).
  const dh1 = m.op('ConvTranspose', [dz2, p.c2w], { kernel_shape: [c2.k, c2.k], strides: [c2.stride, c2.stride], pads: [c2.pad, c2.pad, c2.pad, c2.pad], output_padding: [1, 1] });
  const dz1 = reluGrad(dh1, z1);
  grads.c1w = weightGrad(x, dz1, c1, 'c1');
  grads.c1b = sumOver(dz1, [0, 2, 3], 'axes_c1');

  const lr = m.scalar('learning_rate', s.learningRate);
  m.output('loss', []);
  for (const name of CNN_PARAMETERS) {
    m.node('Sub', [p[name], m.op('Mul', [grads[name], lr])], {}, [`${name}_next`]);
    m.output(`${name}_next`, shapes[name]);
  }
  return m.encode();
}
