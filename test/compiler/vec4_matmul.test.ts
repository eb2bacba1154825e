import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { randomTensor } from '../helpers/random.js';

/** The wide (vec4) matmul template, for operands read straight from memory with K, N % 4 == 0. */
describe('vec4 matmul template', () => {
  const cases: [StaticShape, StaticShape][] = [
    [[1, 4], [4, 4]],
    [[5, 8], [8, 12]],
    [[33, 64], [64, 36]],
    [[2, 3, 7, 16], [16, 20]],
    [[4, 1, 9, 12], [3, 12, 8]],
  ];
  it.each(cases)('%j @ %j with a bias + tanh epilogue', async (sa, sb) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', sa);
    const w = b.input('w', 'f32', sb);
    const mm = b.op('matmul', [x, w]);
    const bias = b.constant(randomTensor('f32', [sb[sb.length - 1]], 9));
    b.output(b.op('tanh', [b.op('add', [mm, bias])]), 'y');
    const plan = compile(b.graph);
    expect(plan.kernels[0].wgsl).toContain('array<vec4<f32>>');
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', sa, 1), w: randomTensor('f32', sb, 2) };
    expectClose((await runOnGpu(b.graph, inputs)).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-5 });
  });

  it('x @ x binds x once; a residual read of an operand is indexed through its vectors', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [8, 8]);
    b.output(b.op('add', [b.op('matmul', [x, x]), x]), 'y');
    const inputs = { x: randomTensor('f32', [8, 8], 3) };
    expectClose((await runOnGpu(b.graph, inputs)).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-5 });
  });

  // Rows shared through subgroup broadcasts: fewer, more or as many rows per invocation as
  // lanes per load, ragged tiles, batches; each against the reference, and the plan asks for it.
  const shared: [StaticShape, StaticShape, number][] = [
    [[37, 64], [64, 36], 16],
    [[5, 8], [8, 12], 4],
    [[2, 19, 32], [32, 20], 12],
    [[70, 16], [16, 260], 8],
  ];
  it.each(shared)('%j @ %j, %i rows per invocation shared through subgroups', async (sa, sb, tm) => {
    const device = await getDefaultDevice();
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', sa);
    const w = b.input('w', 'f32', sb);
    b.output(b.op('relu', [b.op('matmul', [x, w])]), 'y');
    const config = { wgX: 16, wgY: 1, tm, tn4: 1, sg: 8 };
    const plan = compile(b.graph, { limits: device.limits, vec4MatmulConfig: () => config });
    const sharing = (device.limits.subgroupMinSize ?? 0) >= 8;
    expect(plan.kernels[0].wgsl.includes('subgroupBroadcast')).toBe(sharing);
    expect(plan.requirements.features.includes('subgroups')).toBe(sharing);
    if (sharing) expect(plan.requirements.limits.subgroupMinSize).toBe(8);
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', sa, 5), w: randomTensor('f32', sb, 6) };
    expectClose((await runOnGpu(b.graph, inputs, { vec4MatmulConfig: () => config })).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-5 });
  });

  it('without subgroups (limits say none) the same config loads rows per invocation', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [8, 8]);
    const w = b.input('w', 'f32', [8, 8]);
    b.output(b.op('matmul', [x, w]), 'y');
    const plan = compile(b.graph, { limits: { subgroupMinSize: 4 }, vec4MatmulConfig: () => ({ wgX: 16, wgY: 1, tm: 8, tn4: 1, sg: 8 }) });
    expect(plan.kernels[0].wgsl).not.toContain('subgroup');
    expect(plan.requirements.features).not.toContain('subgroups');
  });
});
