import { describe, it } from 'vitest';
import type { Attrs, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/** The implicit-GEMM conv template with a fused epilogue, against the reference interpreter. */
describe('tiled conv template', () => {
  const cases: [string, StaticShape, StaticShape, Attrs, boolean][] = [
    ['3x3 pad 1', [2, 3, 9, 7], [8, 3, 3, 3], { pads: [1, 1, 1, 1] }, true],
    ['stride 2, dilation 2, asymmetric pads', [1, 5, 13, 11], [6, 5, 3, 3], { strides: [2, 2], dilations: [2, 1], pads: [2, 0, 1, 3] }, true],
    ['1x1', [1, 16, 5, 5], [9, 16, 1, 1], {}, false],
    ['grouped', [1, 8, 6, 6], [12, 2, 3, 3], { group: 4, pads: [1, 1, 1, 1] }, true],
    ['depthwise', [2, 6, 7, 7], [6, 1, 3, 3], { group: 6, pads: [1, 1, 1, 1], strides: [2, 2] }, true],
    ['1-D', [2, 4, 17], [5, 4, 3], { pads: [1, 1] }, true],
  ];
  it.each(cases)('%s, with bias + relu + residual', async (_name, xs, ws, attrs, withBias) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', xs);
    const w = b.input('w', 'f32', ws);
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', xs, 1), w: randomTensor('f32', ws, 2) };
    const operands = [x, w];
    if (withBias) {
      operands.push(b.input('bias', 'f32', [ws[0]]));
      inputs.bias = randomTensor('f32', [ws[0]], 3);
    }
    const y = b.op('conv', operands, attrs);
    const residual = b.input('r', 'f32', y.type.shape);
    inputs.r = randomTensor('f32', y.type.shape as StaticShape, 4);
    b.output(b.op('add', [b.op('relu', [y]), residual]), 'out');
    expectClose((await runOnGpu(b.graph, inputs)).out, interpret(b.graph, inputs).outputs.out, { rtol: 1e-4, atol: 1e-4 });
  });
});
