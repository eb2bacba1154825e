import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { getDefaultDevice } from '../../runtime/index.js';
import type { HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/** The register-tiled matmul template with fused prologues and epilogues, against the reference. */
describe('tiled matmul template', () => {
  const cases: [StaticShape, StaticShape][] = [
    [[1, 1], [1, 1]],
    [[3, 17], [17, 5]],
    [[65, 33], [33, 70]],
    [[2, 1, 9, 13], [3, 13, 31]],
    [[128, 64], [64, 128]],
  ];
  it.each(cases)('%j @ %j with bias, GELU and a residual', async (sa, sb) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', sa);
    const w = b.input('w', 'f32', sb);
    const mm = b.op('matmul', [x, w]);
    const n = sb[sb.length - 1];
    const bias = b.constant(randomTensor('f32', [n], 7));
    const residual = b.input('r', 'f32', mm.type.shape);
    b.output(b.op('add', [b.op('gelu', [b.op('add', [mm, bias])]), residual]), 'y');
    const inputs: Record<string, HostTensor> = {
      x: randomTensor('f32', sa, 1),
      w: randomTensor('f32', sb, 2),
      r: randomTensor('f32', mm.type.shape as StaticShape, 3),
    };
    const expected = interpret(b.graph, inputs).outputs.y;
    expectClose((await runOnGpu(b.graph, inputs)).y, expected, { rtol: 1e-4, atol: 1e-4 });
  });

  it('a transposed operand fuses as a prologue (the scale is materialized); ints are exact', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'i32', [19, 7]);
    const w = b.input('w', 'i32', [11, 7]);
    const wt = b.op('transpose', [b.op('mul', [w, b.constant(randomTensor('i32', [1], 4, 2, 3))])], { perm: [1, 0] });
    b.output(b.op('relu', [b.op('matmul', [x, wt])]), 'y');
    const inputs = { x: randomTensor('i32', [19, 7], 5, -9, 9), w: randomTensor('i32', [11, 7], 6, -9, 9) };
    expectClose((await runOnGpu(b.graph, inputs)).y, interpret(b.graph, inputs).outputs.y);
  });

  // A rows shared through subgroup broadcasts, read through a transposing prologue, with tile
  // heights below, at and above the lanes per read, in f32 and i32.
  const shared: ['f32' | 'i32', number][] = [
    ['f32', 12],
    ['f32', 4],
    ['i32', 16],
  ];
  it.each(shared)('%s, %i rows per invocation shared through subgroups', async (dtype, tm) => {
    const device = await getDefaultDevice();
    const b = new GraphBuilder();
    const x = b.input('x', dtype, [7, 37]);
    const w = b.input('w', dtype, [7, 23]);
    b.output(b.op('matmul', [b.op('transpose', [x], { perm: [1, 0] }), w]), 'y');
    const config = { wgX: 8, wgY: 1, tm, tn: 3, unrollK: 1, sg: 8 };
    const plan = compile(b.graph, { limits: device.limits, matmulConfig: () => config });
    expect(plan.kernels.some((k) => k.wgsl.includes('subgroupBroadcast'))).toBe((device.limits.subgroupMinSize ?? 0) >= 8);
    const inputs = { x: randomTensor(dtype, [7, 37], 8, -9, 9), w: randomTensor(dtype, [7, 23], 9, -9, 9) };
    expectClose((await runOnGpu(b.graph, inputs, { matmulConfig: () => config })).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-4 });
  });
});
