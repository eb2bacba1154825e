import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
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
});
