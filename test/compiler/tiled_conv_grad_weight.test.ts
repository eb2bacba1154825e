import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { Attrs, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/** A conv's weight gradient as a register-tiled GEMM (grouped ones keep the generic kernel). */
describe('tiled conv weight-gradient template', () => {
  const cases: [string, StaticShape, StaticShape, Attrs, boolean][] = [
    ['3x3 pad 1', [3, 5, 9, 7], [12, 5, 3, 3], { pads: [1, 1, 1, 1] }, true],
    ['5x5 stride 2 pad 2', [2, 1, 13, 11], [8, 1, 5, 5], { pads: [2, 2, 2, 2], strides: [2, 2] }, true],
    ['3x2 dilation 2, asymmetric pads', [1, 6, 11, 10], [10, 6, 3, 2], { pads: [2, 0, 1, 1], dilations: [2, 1] }, true],
    ['1x1', [2, 19, 4, 5], [7, 19, 1, 1], {}, true],
    ['1-D stride 3', [2, 4, 20], [6, 4, 3], { pads: [1, 2], strides: [3] }, true],
    ['grouped (generic)', [1, 8, 6, 6], [8, 2, 3, 3], { pads: [1, 1, 1, 1], group: 4 }, false],
  ];
  it.each(cases)('%s', async (_name, xs, ws, attrs, tiled) => {
    const device = await getDefaultDevice();
    const forward = new GraphBuilder().op('conv', [new GraphBuilder().input('x', 'f32', xs), new GraphBuilder().input('w', 'f32', ws)], attrs);
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', xs);
    const dy = b.input('dy', 'f32', forward.type.shape);
    b.output(b.op('tanh', [b.op('convGradWeight', [x, dy], { ...attrs, weightShape: ws })]), 'dw');
    const plan = compile(b.graph, { limits: device.limits });
    expect(plan.kernels.some((k) => k.wgsl.includes('tile_q0'))).toBe(tiled);
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', xs, 13), dy: randomTensor('f32', forward.type.shape as StaticShape, 14) };
    expectClose((await runOnGpu(b.graph, inputs)).dw, interpret(b.graph, inputs).outputs.dw, { rtol: 1e-4, atol: 1e-4 });
  });

  it('without subgroups the same kernel loads each row itself', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3, 6, 6]);
    const dy = b.input('dy', 'f32', [2, 9, 6, 6]);
    b.output(b.op('convGradWeight', [x, dy], { pads: [1, 1, 1, 1], weightShape: [9, 3, 3, 3] }), 'dw');
    const device = await getDefaultDevice();
    const plan = compile(b.graph, { limits: { ...device.limits, subgroupMinSize: 0 } });
    expect(plan.kernels[0].wgsl).toContain('tile_q0');
    expect(plan.kernels[0].wgsl).not.toContain('subgroup');
    const inputs = { x: randomTensor('f32', [2, 3, 6, 6], 15), dy: randomTensor('f32', [2, 9, 6, 6], 16) };
    const exe = await Executable.load(plan, device);
    try {
      expectClose((await exe.run(inputs)).dw, interpret(b.graph, inputs).outputs.dw, { rtol: 1e-4, atol: 1e-4 });
    } finally {
      exe.dispose();
    }
  });
});
