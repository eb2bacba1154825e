import type { GradCase, InputSpec } from './gradcheck.js';

/**
 * Gradient-check cases, at least one for every differentiable op of the registry (the coverage
 * test fails for an op that has none). Inputs stay small: finite differences cost two
 * interpreter runs per element.
 */

const m = (shape: number[], extra: Partial<InputSpec> = {}): InputSpec => ({ shape, ...extra });
const positive = (shape: number[]) => m(shape, { lo: 0.5, hi: 2 });
const nonzero = (shape: number[]) => m(shape, { lo: 0.5, hi: 2, awayFromZero: true });

const unary = (op: string, spec: InputSpec = m([2, 3]), attrs = {}, label?: string): GradCase => ({ op, inputs: [spec], attrs, label });

export const CASES: readonly GradCase[] = [
  // Unary elementwise.
  unary('neg'),
  unary('abs'),
  unary('exp'),
  unary('log', positive([2, 3])),
  unary('sqrt', positive([2, 3])),
  unary('rsqrt', positive([2, 3])),
  unary('reciprocal', nonzero([2, 3])),
  unary('sin'),
  unary('cos'),
  unary('tan', m([2, 3], { lo: -1, hi: 1 })),
  unary('asin', m([2, 3], { lo: -0.8, hi: 0.8 })),
  unary('acos', m([2, 3], { lo: -0.8, hi: 0.8 })),
  unary('atan'),
  unary('sinh'),
  unary('cosh'),
  unary('asinh'),
  unary('acosh', m([2, 3], { lo: 1.2, hi: 3 })),
  unary('atanh', m([2, 3], { lo: -0.8, hi: 0.8 })),
  unary('tanh'),
  unary('sigmoid'),
  unary('relu'),
  unary('leakyRelu', m([2, 3]), { alpha: 0.1 }),
  unary('elu', m([2, 3]), { alpha: 0.7 }),
  unary('selu'),
  unary('celu', m([2, 3]), { alpha: 1.5 }),
  unary('gelu', m([2, 3]), {}, 'erf'),
  unary('gelu', m([2, 3]), { approximate: 'tanh' }, 'tanh'),
  unary('softplus', m([2, 3], { lo: -5, hi: 5 })),
  unary('softsign'),
  unary('mish'),
  unary('hardSigmoid', m([2, 4], { lo: -4, hi: 4 })),
  unary('hardSwish', m([2, 4], { lo: -5, hi: 5 })),
  unary('thresholdedRelu', m([2, 3]), { alpha: 0.5 }),
  unary('erf'),
  unary('identity'),
  unary('cast', m([2, 3]), { to: 'f32' }),

  // Binary elementwise, with broadcasting both ways.
  { op: 'add', inputs: [m([2, 3]), m([3])] },
  { op: 'sub', inputs: [m([2, 1]), m([1, 3])] },
  { op: 'mul', inputs: [m([2, 3]), m([2, 1])] },
  { op: 'div', inputs: [m([3]), nonzero([2, 3])] },
  { op: 'pow', inputs: [positive([2, 3]), m([3])] },
  { op: 'max', inputs: [m([2, 3]), m([3])] },
  { op: 'min', inputs: [m([2, 1]), m([2, 3])] },
  { op: 'mod', inputs: [m([2, 3], { lo: -5, hi: 5 }), nonzero([3])], label: 'python' },
  { op: 'mod', inputs: [m([2, 3], { lo: -5, hi: 5 }), nonzero([3])], attrs: { fmod: true }, label: 'fmod' },
  { op: 'prelu', inputs: [m([2, 3]), m([3])] },
  { op: 'atan2', inputs: [m([2, 3]), nonzero([3])] },
  { op: 'where', inputs: [m([2, 3], { dtype: 'bool' }), m([2, 3]), m([3])] },
  { op: 'clip', inputs: [m([2, 4]), m([], { values: [-0.6] }), m([4], { values: [0.5, 1, 0.2, 3] })] },

  // Reductions.
  { op: 'reduceSum', inputs: [m([2, 3, 2])], attrs: { axes: [1] } },
  { op: 'reduceSum', inputs: [m([2, 3])], attrs: { axes: [], keepdims: true }, label: 'all, keepdims' },
  { op: 'reduceMean', inputs: [m([2, 3, 2])], attrs: { axes: [0, -1] } },
  { op: 'reduceMax', inputs: [m([3, 4])], attrs: { axes: [1] } },
  { op: 'reduceMin', inputs: [m([3, 4])], attrs: { axes: [0], keepdims: true } },
  { op: 'reduceProd', inputs: [nonzero([2, 3])], attrs: { axes: [1] } },
  { op: 'softmax', inputs: [m([2, 4])], attrs: { axis: -1 } },
  { op: 'softmax', inputs: [m([3, 2])], attrs: { axis: 0 }, label: 'axis 0' },
  { op: 'logSoftmax', inputs: [m([2, 4])], attrs: { axis: 1 } },
  { op: 'cumSum', inputs: [m([2, 4])], attrs: { axis: 1 } },
  { op: 'cumSum', inputs: [m([2, 4])], attrs: { axis: -1, exclusive: true, reverse: true }, label: 'exclusive reverse' },

  // Contraction.
  { op: 'matmul', inputs: [m([2, 3]), m([3, 4])] },
  { op: 'matmul', inputs: [m([3]), m([3, 2])], label: '1-D left' },
  { op: 'matmul', inputs: [m([2, 3]), m([3])], label: '1-D right' },
  { op: 'matmul', inputs: [m([3]), m([3])], label: 'dot' },
  { op: 'matmul', inputs: [m([2, 1, 2, 3]), m([3, 3, 2])], label: 'broadcast batch' },
  // q [2,3,4], k [2,4,5] (transposed keys), v [2,5,2], scale, mask broadcast over the batch.
  { op: 'attention', inputs: [m([2, 3, 4], { lo: -1, hi: 1 }), m([2, 4, 5], { lo: -1, hi: 1 }), m([2, 5, 2]), m([], { lo: 0.3, hi: 0.7 }), m([3, 5], { lo: -1, hi: 1 })] },
  { op: 'attention', inputs: [m([3, 2], { lo: -1, hi: 1 }), m([2, 4], { lo: -1, hi: 1 }), m([4, 3]), m([1], { lo: 0.3, hi: 0.7 })], label: 'no mask' },

  // Layout.
  { op: 'reshape', inputs: [m([2, 3])], attrs: { shape: [3, -1] } },
  { op: 'transpose', inputs: [m([2, 3, 2])], attrs: { perm: [1, 2, 0] } },
  { op: 'concat', inputs: [m([2, 1]), m([2, 3]), m([2, 2])], attrs: { axis: 1 } },
  { op: 'slice', inputs: [m([4, 5])], attrs: { starts: [1, 0], ends: [3, 5], axes: [0, 1], steps: [1, 2] } },
  { op: 'slice', inputs: [m([6])], attrs: { starts: [-1], ends: [-7], steps: [-2] }, label: 'negative step' },
  { op: 'gather', inputs: [m([3, 4]), m([2, 2], { dtype: 'i32', values: [0, 3, -1, 0] })], attrs: { axis: 1 } },
  { op: 'gather', inputs: [m([4, 2]), m([3], { dtype: 'i32', values: [2, 2, 0] })], attrs: { axis: 0 }, label: 'repeated rows' },
  { op: 'expand', inputs: [m([3, 1])], attrs: { shape: [2, 3, 4] } },
  { op: 'squeeze', inputs: [m([2, 1, 3])], attrs: { axes: [1] } },
  { op: 'unsqueeze', inputs: [m([2, 3])], attrs: { axes: [0, 3] } },
  { op: 'pad', inputs: [m([3, 4])], attrs: { pads: [1, -1, 2, 1] } },
  { op: 'pad', inputs: [m([3, 4])], attrs: { pads: [2, 1, 1, 3], mode: 'reflect' }, label: 'reflect' },
  { op: 'pad', inputs: [m([3, 4])], attrs: { pads: [1, 0, 2, 2], mode: 'edge' }, label: 'edge' },
  { op: 'pad', inputs: [m([3, 4])], attrs: { pads: [0, 3, 2, 1], mode: 'wrap' }, label: 'wrap' },
  { op: 'tile', inputs: [m([2, 3])], attrs: { repeats: [2, 3] } },

  // Convolutions and pools (NCHW), and their backward ops (second order).
  { op: 'conv', inputs: [m([2, 2, 5, 4]), m([3, 2, 3, 2]), m([3])], attrs: { strides: [2, 1], pads: [1, 0, 0, 1], dilations: [1, 2] } },
  { op: 'conv', inputs: [m([1, 4, 4, 4]), m([2, 2, 2, 2])], attrs: { group: 2 }, label: 'grouped' },
  { op: 'convTranspose', inputs: [m([1, 2, 3, 3]), m([2, 3, 2, 2]), m([3])], attrs: { strides: [2, 2], pads: [0, 1, 1, 0], outputPadding: [1, 0] } },
  { op: 'maxPool', inputs: [m([1, 2, 5, 5])], attrs: { kernelShape: [2, 2], strides: [2, 2], pads: [1, 0, 0, 1] } },
  { op: 'maxPool', inputs: [m([1, 1, 5, 5])], attrs: { kernelShape: [3, 3], strides: [2, 2], ceilMode: true, dilations: [1, 1] }, label: 'ceil mode' },
  { op: 'avgPool', inputs: [m([1, 2, 5, 5])], attrs: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { op: 'avgPool', inputs: [m([1, 1, 5, 4])], attrs: { kernelShape: [2, 3], pads: [1, 1, 0, 1], countIncludePad: true }, label: 'count pads' },
  { op: 'lpPool', inputs: [nonzero([1, 2, 4, 4])], attrs: { kernelShape: [2, 2], strides: [2, 1], p: 3 } },
  { op: 'convGradInput', inputs: [m([1, 3, 2, 3]), m([3, 2, 3, 3])], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], inputShape: [1, 2, 4, 5] } },
  { op: 'convGradWeight', inputs: [m([1, 2, 4, 5]), m([1, 3, 2, 3])], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], weightShape: [3, 2, 3, 3] } },
  { op: 'maxPoolGrad', inputs: [m([1, 2, 4, 5]), m([1, 2, 2, 3])], attrs: { kernelShape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 1] } },
  { op: 'avgPoolGrad', inputs: [m([1, 2, 3, 3])], attrs: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], inputShape: [1, 2, 5, 5] } },

  // Normalization.
  { op: 'layerNorm', inputs: [m([2, 3, 4]), m([4]), m([3, 4])], attrs: { axis: 1, epsilon: 1e-3 } },
  { op: 'layerNorm', inputs: [m([3, 5])], label: 'no affine' },

  // Data-dependent indexing.
  { op: 'gatherElements', inputs: [m([3, 4]), m([2, 4], { dtype: 'i32', values: [0, 2, 1, 2, 0, -1, 1, 2] })], attrs: { axis: 0 } },
  { op: 'gatherND', inputs: [m([3, 4]), m([4, 1], { dtype: 'i32', values: [2, 0, 2, -1] })] },
  { op: 'scatterElements', inputs: [m([3, 4]), m([2, 4], { dtype: 'i32', values: [0, 2, 1, 2, 1, 0, 2, 1] }), m([2, 4])], attrs: { axis: 0 } },
  { op: 'scatterElements', inputs: [m([3, 4]), m([2, 4], { dtype: 'i32', values: [0, 2, 1, 2, 0, 2, 2, 2] }), m([2, 4])], attrs: { axis: 0, reduction: 'add' }, label: 'add' },
  { op: 'scatterND', inputs: [m([4, 3]), m([2, 1], { dtype: 'i32', values: [3, 1] }), m([2, 3])] },
  { op: 'scatterND', inputs: [m([4, 3]), m([3, 2], { dtype: 'i32', values: [3, 1, 0, 0, 3, 1] }), m([3])], attrs: { reduction: 'add' }, label: 'add' },
  { op: 'trilu', inputs: [m([2, 3, 4])], attrs: { k: 1 } },
  { op: 'trilu', inputs: [m([3, 4])], attrs: { upper: false, k: -1 }, label: 'lower' },
  { op: 'topK', inputs: [m([2, 5])], attrs: { k: 3, axis: 1 } },
  { op: 'topK', inputs: [m([4, 2])], attrs: { k: 2, axis: 0, largest: false }, label: 'smallest' },
  { op: 'resize', inputs: [m([1, 1, 3, 4])], attrs: { scales: [1, 1, 2, 1.5], mode: 'linear' } },
  { op: 'resize', inputs: [m([1, 2, 3, 2])], attrs: { sizes: [1, 2, 5, 4], mode: 'nearest', coordinateTransformationMode: 'asymmetric' }, label: 'nearest' },
  { op: 'resize', inputs: [m([1, 1, 4, 4])], attrs: { scales: [1, 1, 0.5, 1.75], mode: 'cubic', excludeOutside: true }, label: 'cubic' },
];
