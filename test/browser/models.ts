import { OnnxModelBuilder } from '../../bench/models/onnx_builder.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import type { Graph, HostTensor } from '../../ir/index.js';
import { mlpGraph } from '../artifact/graphs.js';
import { resnetStyleCnn, transformerBlock } from '../models/builders.js';
import { randomTensor } from '../helpers/random.js';

/**
 * The models the browser tests compile with the default limits (WebGPU's guaranteed ones, no
 * subgroups) and run in Node and in Chromium: an MLP (f32, i32 and bool outputs), a small
 * ResNet with BatchNorm as exporters write it, a transformer block, and an ONNX CNN with real
 * BatchNormalization nodes, imported as `dawnflow compile model.onnx` imports it.
 */

export interface BrowserCase {
  readonly name: string;
  readonly graph: Graph;
  readonly inputs: Record<string, HostTensor>;
}

function weights(seed: number, dims: readonly number[], scale: number): Float32Array {
  return randomTensor('f32', dims, seed, -scale, scale).data as Float32Array;
}

/** Conv-BN-ReLU-MaxPool, Conv-BN-ReLU, global average pool, Gemm, Softmax: opset 17. */
export function onnxCnn(): Uint8Array {
  const m = new OnnxModelBuilder('onnx_cnn');
  let h = m.input('image', [2, 3, 12, 12]);
  let seed = 500;
  for (const [cin, cout, pool] of [
    [3, 8, true],
    [8, 16, false],
  ] as const) {
    const w = m.weight(`conv${seed}.w`, [cout, cin, 3, 3], weights(seed++, [cout, cin, 3, 3], Math.sqrt(2 / (cin * 9))));
    h = m.op('Conv', [h, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    const bn = ['scale', 'bias', 'mean', 'var'].map((p, i) => m.weight(`bn${seed}.${p}`, [cout], i === 3 ? weights(seed + i, [cout], 0.5).map((v) => 1 + v) : weights(seed + i, [cout], i === 0 ? 1.5 : 0.3)));
    seed += 4;
    h = m.op('Relu', [m.op('BatchNormalization', [h, ...bn], { epsilon: 1e-5 })]);
    if (pool) h = m.op('MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] });
  }
  const flat = m.op('Flatten', [m.op('GlobalAveragePool', [h])]);
  const logits = m.op('Gemm', [flat, m.weight('fc.w', [16, 5], weights(seed++, [16, 5], 0.5)), m.weight('fc.b', [5], weights(seed++, [5], 0.1))]);
  const probs = m.node('Softmax', [logits], { axis: 1 }, ['probs'])[0];
  m.output(probs, [2, 5]);
  return m.encode();
}

export function browserCases(): BrowserCase[] {
  return [
    { name: 'mlp', graph: mlpGraph(), inputs: { x: randomTensor('f32', [5, 8], 7) } },
    { name: 'cnn-batchnorm', graph: resnetStyleCnn(2, 16), inputs: { image: randomTensor('f32', [2, 3, 16, 16], 8) } },
    { name: 'transformer-block', graph: transformerBlock(16, 32, 4), inputs: { x: randomTensor('f32', [16, 32], 9) } },
    { name: 'onnx-cnn', graph: importOnnx(onnxCnn(), { source: 'onnx_cnn.onnx' }).graph, inputs: { image: randomTensor('f32', [2, 3, 12, 12], 10) } },
  ];
}
