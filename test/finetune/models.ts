import { rng } from '../helpers/random.js';
import { F32, modelBytes, node, tensor, valueInfo } from '../onnx/helpers/onnx_builder.js';

/** Small ONNX models, written as an exporter would write them, for the fine-tuning tests. */

function values(count: number, seed: number, scale = 0.5): number[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => (next() * 2 - 1) * scale);
}

/**
 * x[N,2,6,6] → Conv(3×3, 3 channels) → BatchNormalization → Relu → Dropout(0.25) → Flatten →
 * Gemm(transB, alpha 0.7, beta 1.5) → y[N,4]. Initializers: conv.w, conv.b, bn.scale, bn.bias,
 * bn.mean, bn.var, fc.w, fc.b, and the Dropout ratio (a float scalar, never a parameter).
 */
export function convBnGemm(batch: number | string = 'N'): Uint8Array {
  return modelBytes({
    opset: 17,
    name: 'conv_bn_gemm',
    inputs: [valueInfo('x', F32, [batch, 2, 6, 6])],
    outputs: [valueInfo('y', F32, [batch, 4])],
    initializers: [
      tensor('conv.w', [3, 2, 3, 3], values(54, 1)),
      tensor('conv.b', [3], values(3, 2)),
      tensor('bn.scale', [3], values(3, 3, 0.3).map((v) => 1 + v)),
      tensor('bn.bias', [3], values(3, 4, 0.2)),
      tensor('bn.mean', [3], values(3, 5, 0.1)),
      tensor('bn.var', [3], values(3, 6, 0.2).map((v) => 1 + v)),
      tensor('drop.ratio', [], [0.25]),
      tensor('fc.w', [4, 48], values(192, 7, 0.3)),
      tensor('fc.b', [4], values(4, 8, 0.1)),
    ],
    nodes: [
      node('Conv', ['x', 'conv.w', 'conv.b'], ['c'], { pads: [0, 0, 0, 0] }, 'conv'),
      node('BatchNormalization', ['c', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], ['n'], { epsilon: 1e-3, momentum: 0.8 }, 'bn'),
      node('Relu', ['n'], ['r'], {}, 'relu'),
      node('Dropout', ['r', 'drop.ratio'], ['d'], {}, 'drop'),
      node('Flatten', ['d'], ['f'], { axis: 1 }, 'flatten'),
      node('Gemm', ['f', 'fc.w', 'fc.b'], ['y'], { transB: 1, alpha: 0.7, beta: 1.5 }, 'fc'),
    ],
  });
}

/** x[N,T=3,I=2] → LSTM(hidden 3, W/R/B initializers) → Y_h[1,N,3]. */
export function lstm(batch = 2): Uint8Array {
  const hidden = 3;
  const inputSize = 2;
  return modelBytes({
    opset: 14,
    name: 'lstm',
    inputs: [valueInfo('x', F32, [3, batch, inputSize])],
    outputs: [valueInfo('h', F32, [1, batch, hidden])],
    initializers: [
      tensor('W', [1, 4 * hidden, inputSize], values(4 * hidden * inputSize, 11)),
      tensor('R', [1, 4 * hidden, hidden], values(4 * hidden * hidden, 12)),
      tensor('B', [1, 8 * hidden], values(8 * hidden, 13, 0.2)),
    ],
    nodes: [node('LSTM', ['x', 'W', 'R', 'B'], ['', 'h'], { hidden_size: hidden }, 'lstm')],
  });
}

/** x[N,3,4,4] → BatchNormalization (momentum 0.9) → ReduceMean over all but the batch → y[N,1]: the running statistics are the input's. */
export function bnOnInput(batch = 4): Uint8Array {
  return modelBytes({
    opset: 17,
    name: 'bn_on_input',
    inputs: [valueInfo('x', F32, [batch, 3, 4, 4])],
    outputs: [valueInfo('y', F32, [batch, 1])],
    initializers: [
      tensor('scale', [3], [1, 1.5, 0.5]),
      tensor('bias', [3], [0, 0.1, -0.1]),
      tensor('mean', [3], [0.2, -0.1, 0.3]),
      tensor('var', [3], [1, 2, 0.5]),
      tensor('w', [48, 1], values(48, 21)),
    ],
    nodes: [
      node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['n'], {}, 'bn'),
      node('Flatten', ['n'], ['f'], { axis: 1 }, 'flatten'),
      node('MatMul', ['f', 'w'], ['y'], {}, 'fc'),
    ],
  });
}
