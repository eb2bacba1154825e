import { normalArray } from '../seeded_random.js';
import { OnnxModelBuilder } from './onnx_builder.js';

/** Single-op ONNX models for the kernel cases: one MatMul, one Conv (+bias) layer. */

export function matmulModel(n: number): Uint8Array {
  const m = new OnnxModelBuilder(`matmul_${n}`);
  const c = m.node('MatMul', [m.input('a', [n, n]), m.input('b', [n, n])], {}, ['c'])[0];
  m.output(c, [n, n]);
  return m.encode();
}

export interface ConvLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
}

export function convOutputSize(l: ConvLayer): number {
  const pad = Math.floor(l.kernel / 2);
  return Math.floor((l.size + 2 * pad - l.kernel) / l.stride) + 1;
}

export function convFlops(l: ConvLayer): number {
  const out = convOutputSize(l);
  return 2 * l.outChannels * l.inChannels * l.kernel * l.kernel * out * out;
}

/** A ResNet-style conv layer, batch 1, NCHW, "same" padding, He-initialised weights. */
export function convModel(name: string, l: ConvLayer): Uint8Array {
  const m = new OnnxModelBuilder(name);
  const pad = Math.floor(l.kernel / 2);
  const x = m.input('x', [1, l.inChannels, l.size, l.size]);
  const wDims = [l.outChannels, l.inChannels, l.kernel, l.kernel];
  const w = m.weight('w', wDims, normalArray(`${name}/w`, wDims.reduce((a, b) => a * b, 1), Math.sqrt(2 / (l.inChannels * l.kernel * l.kernel))));
  const b = m.weight('b', [l.outChannels], normalArray(`${name}/b`, l.outChannels, 0.01));
  const y = m.node('Conv', [x, w, b], { kernel_shape: [l.kernel, l.kernel], pads: [pad, pad, pad, pad], strides: [l.stride, l.stride] }, ['y'])[0];
  const out = convOutputSize(l);
  m.output(y, [1, l.outChannels, out, out]);
  return m.encode();
}
