import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { getDefaultDevice } from '../../runtime/index.js';
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

  // Weights shared through subgroup broadcasts (tm below, at and above the lanes per load; ragged
  // channel tiles; groups), against the reference.
  const shared: [string, StaticShape, StaticShape, Attrs, number][] = [
    ['3x3, 8 channels per load', [2, 5, 9, 7], [20, 5, 3, 3], { pads: [1, 1, 1, 1] }, 8],
    ['1x1, 16 channels per invocation', [1, 16, 6, 5], [37, 16, 1, 1], {}, 16],
    ['grouped, 4 channels per invocation', [1, 8, 6, 6], [24, 2, 3, 3], { group: 4, pads: [1, 1, 1, 1] }, 4],
  ];
  it.each(shared)('%s, weights shared through subgroups', async (_name, xs, ws, attrs, tm) => {
    const device = await getDefaultDevice();
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', xs);
    const w = b.input('w', 'f32', ws);
    b.output(b.op('relu', [b.op('conv', [x, w], attrs)]), 'out');
    const config = { wgX: 16, wgY: 1, tm, tn: 2, sg: 8 };
    const plan = compile(b.graph, { limits: device.limits, convConfig: () => config });
    expect(plan.kernels.some((k) => k.wgsl.includes('subgroupBroadcast'))).toBe((device.limits.subgroupMinSize ?? 0) >= 8);
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', xs, 7), w: randomTensor('f32', ws, 8) };
    expectClose((await runOnGpu(b.graph, inputs, { convConfig: () => config })).out, interpret(b.graph, inputs).outputs.out, { rtol: 1e-4, atol: 1e-4 });
  });

  // The input gradient of an ungrouped conv runs through the template (each pixel reading the
  // outputs whose window reached it); grouped ones keep the generic gather. Both against the
  // reference, with a fused epilogue.
  const gradients: [string, StaticShape, StaticShape, Attrs, boolean][] = [
    ['3x3 pad 1', [2, 8, 9, 7], [12, 8, 3, 3], { pads: [1, 1, 1, 1] }, true],
    ['5x3 asymmetric pads, dilation 2', [1, 6, 13, 11], [16, 6, 5, 3], { pads: [3, 1, 2, 0], dilations: [2, 1] }, true],
    ['1x1', [1, 24, 5, 5], [9, 24, 1, 1], {}, true],
    ['1-D valid', [2, 16, 17], [5, 16, 3], {}, true],
    ['stride 2', [2, 8, 9, 9], [8, 8, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }, true],
    ['5x5 stride 2 pad 2, odd input', [1, 1, 13, 11], [8, 1, 5, 5], { pads: [2, 2, 2, 2], strides: [2, 2] }, true],
    ['stride 3, dilation 2, 1-D', [2, 4, 20], [6, 4, 3], { pads: [2, 1], strides: [3], dilations: [2] }, true],
    ['grouped (gather)', [1, 8, 6, 6], [8, 2, 3, 3], { pads: [1, 1, 1, 1], group: 4 }, false],
  ];
  it.each(gradients)('convGradInput %s', async (_name, xs, ws, attrs, asConv) => {
    const device = await getDefaultDevice();
    const b = new GraphBuilder();
    const w = b.input('w', 'f32', ws);
    const forward = new GraphBuilder().op('conv', [new GraphBuilder().input('x', 'f32', xs), new GraphBuilder().input('w', 'f32', ws)], attrs);
    const dy = b.input('dy', 'f32', forward.type.shape);
    const dx = b.op('convGradInput', [dy, w], { ...attrs, inputShape: xs });
    b.output(b.op('tanh', [dx]), 'out');
    const plan = compile(b.graph, { limits: device.limits });
    expect(plan.kernels.some((k) => k.wgsl.includes('tile_m0'))).toBe(asConv);
    const inputs: Record<string, HostTensor> = { dy: randomTensor('f32', forward.type.shape as StaticShape, 11), w: randomTensor('f32', ws, 12) };
    expectClose((await runOnGpu(b.graph, inputs)).out, interpret(b.graph, inputs).outputs.out, { rtol: 1e-4, atol: 1e-4 });
  });
});
