import type { Value } from '../../../ir/index.js';
import { ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { dtypedArray } from '../context.js';
import { dtypeOfOnnx } from '../dtypes.js';
import { defineOnnxOps } from './table.js';
import { checkHostElements, flag, input, normAxis, rank, reshape, staticDim } from './util.js';

const MAX_FRAMES = 4096;

/**
 * Window functions: generalized cosine windows a0 − a1·cos(2πn/N) + a2·cos(4πn/N), with
 * N = size (periodic) or size − 1 (symmetric). Their only input is the size, so they are
 * constants computed at import time.
 */
function cosineWindow(a0: number, a1: number, a2: number) {
  return (node: OnnxNodeView, ctx: ImportContext): Value[] => {
    const [size] = ctx.constValues(node, 0, 'size');
    if (!Number.isInteger(size) || size < 0) throw new ShapeError(`${node.where}: size ${size} is not a non-negative integer`);
    checkHostElements(node, size, 'the window');
    const periodic = node.attrs.int('periodic', 1) !== 0;
    const n = periodic ? size : size - 1;
    const values = Array.from({ length: size }, (_, i) => a0 - a1 * Math.cos((2 * Math.PI * i) / n) + a2 * Math.cos((4 * Math.PI * i) / n));
    const dtype = dtypeOfOnnx(node.attrs.int('output_datatype', 1), node.where);
    return [ctx.constant({ dtype, shape: [size], data: dtypedArray(dtype, values) })];
  };
}

/**
 * The discrete Fourier transform of x ([..., 1 | 2]: real or complex in the last dim) along
 * `axis`, as two matmuls with cos/sin matrices of the transform length L:
 * forward Y = Σ x·e^(−2πikn/L), inverse (1/L)·Σ x·e^(+2πikn/L); onesided keeps bins 0..⌊L/2⌋.
 */
function dftAlong(node: OnnxNodeView, ctx: ImportContext, x: Value, axis: number, length: number, inverse: boolean, onesided: boolean): Value {
  const r = rank(x);
  const complex = staticDim(node, x, r - 1) === 2;
  const part = (k: number) => ctx.op('squeeze', [ctx.op('slice', [x], { starts: [k], ends: [k + 1], axes: [r - 1], steps: [1] })], { axes: [r - 1] });
  const perm = [...Array(r - 1).keys()].filter((d) => d !== axis).concat([axis]);
  const toLast = (v: Value) => (axis === r - 2 ? v : ctx.op('transpose', [v], { perm }));
  const fit = (v: Value) => {
    const n = staticDim(node, v, r - 2);
    if (n > length) return ctx.op('slice', [v], { starts: [0], ends: [length], axes: [r - 2], steps: [1] });
    if (n < length) {
      // Zeros appended at the end of the (now last) signal axis.
      const pads = new Array<number>(2 * (r - 1)).fill(0);
      pads[pads.length - 1] = length - n;
      return ctx.op('pad', [v], { pads, mode: 'constant', value: 0 });
    }
    return v;
  };
  const re = fit(toLast(part(0)));
  const im = complex ? fit(toLast(part(1))) : undefined;
  if (!Number.isInteger(length) || length < 1) throw new ShapeError(`${node.where}: transform length ${length} is not a positive integer`);
  const bins = onesided ? Math.floor(length / 2) + 1 : length;
  checkHostElements(node, length * bins, 'the DFT matrix');
  const table = (fn: (a: number) => number) => {
    const data = new Float32Array(length * bins);
    for (let n = 0; n < length; n++) for (let k = 0; k < bins; k++) data[n * bins + k] = fn((2 * Math.PI * ((k * n) % length)) / length) * (inverse ? 1 / length : 1);
    return ctx.constant({ dtype: 'f32', shape: [length, bins], data });
  };
  const cos = table(Math.cos);
  const sin = table(Math.sin);
  const sign = inverse ? -1 : 1;
  // forward: re' = re·C + im·S, im' = im·C − re·S; inverse flips the sine terms.
  let outRe = ctx.op('matmul', [re, cos]);
  let outIm = ctx.op('neg', [ctx.op('matmul', [re, sin])]);
  if (sign < 0) outIm = ctx.op('neg', [outIm]);
  if (im) {
    const imSin = ctx.op('matmul', [im, sin]);
    outRe = sign > 0 ? ctx.op('add', [outRe, imSin]) : ctx.op('sub', [outRe, imSin]);
    outIm = ctx.op('add', [outIm, ctx.op('matmul', [im, cos])]);
  }
  const stacked = ctx.op('concat', [ctx.op('unsqueeze', [outRe], { axes: [r - 1] }), ctx.op('unsqueeze', [outIm], { axes: [r - 1] })], { axis: r - 1 });
  if (axis === r - 2) return stacked;
  const back = perm.map((_, i) => perm.indexOf(i)).concat([r - 1]);
  return ctx.op('transpose', [stacked], { perm: back });
}

function dft(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  if (node.opset >= 20) throw new UnsupportedOpError(`${node.where}: DFT-20 (axis as an input) is not supported`);
  const axis = normAxis(node, node.attrs.int('axis', 1), rank(x) - 1);
  const length = node.inputs[1] ? ctx.constValues(node, 1, 'dft_length')[0] : staticDim(node, x, axis);
  return [dftAlong(node, ctx, x, axis, length, flag(node, 'inverse', false), flag(node, 'onesided', false))];
}

/** STFT: frames of the signal (every frame_step samples), windowed, each transformed. */
function stft(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const signal = input(node, 0);
  const [step] = ctx.constValues(node, 1, 'frame_step');
  const window = node.inputs[2];
  const frameLength = node.inputs[3] ? ctx.constValues(node, 3, 'frame_length')[0] : window ? staticDim(node, window, 0) : undefined;
  if (frameLength === undefined) throw new ShapeError(`${node.where}: needs a window or a frame_length`);
  const length = staticDim(node, signal, 1);
  if (!Number.isInteger(step) || step < 1) throw new ShapeError(`${node.where}: frame_step ${step} is not a positive integer`);
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > length) {
    throw new ShapeError(`${node.where}: frame_length ${frameLength} must be between 1 and the signal's ${length} samples`);
  }
  const count = Math.floor((length - frameLength) / step) + 1;
  // One slice per frame.
  if (count > MAX_FRAMES) throw new UnsupportedOpError(`${node.where}: ${count} frames; more than ${MAX_FRAMES} are not supported`);
  const frames = Array.from({ length: count }, (_, f) =>
    ctx.op('unsqueeze', [ctx.op('slice', [signal], { starts: [f * step], ends: [f * step + frameLength], axes: [1], steps: [1] })], { axes: [1] }),
  );
  let framed = frames.length === 1 ? frames[0] : ctx.op('concat', frames, { axis: 1 });
  if (window) framed = ctx.op('mul', [framed, reshape(ctx, window, [1, 1, frameLength, 1])]);
  return [dftAlong(node, ctx, framed, 2, frameLength, false, flag(node, 'onesided', true))];
}

defineOnnxOps({
  DFT: dft,
  STFT: stft,
  HannWindow: cosineWindow(0.5, 0.5, 0),
  HammingWindow: cosineWindow(25 / 46, 21 / 46, 0),
  BlackmanWindow: cosineWindow(0.42, 0.5, 0.08),
});
