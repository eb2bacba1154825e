import { describe, expect, it } from 'vitest';
import type { CompileOptions } from '../../compiler/compile.js';
import { compile } from '../../compiler/compile.js';
import type { Graph, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { expectGpuMatchesReference } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/**
 * The row_matmul template (targets/wgsl/templates/row_matmul.ts): matmuls with M = 1 take the
 * matmul templates with one row per invocation. Every case runs on the GPU against the
 * reference interpreter.
 */

/** The GPU against the reference interpreter, contractions: accumulation order differs from the reference. */
const matchesReference = (graph: Graph, inputSets: readonly Record<string, HostTensor>[], options: Omit<CompileOptions, 'limits'> = {}) => expectGpuMatchesReference(graph, inputSets, { rtol: 1e-4, atol: 1e-5 }, options);

function matmulKernel(graph: Graph, options: Omit<CompileOptions, 'limits'> = {}): string {
  return compile(graph, options).kernels.find((k) => k.name.includes('matmul'))!.wgsl;
}

describe('row_matmul template', () => {
  const cases: [StaticShape, StaticShape, boolean][] = [
    [[1, 16], [16, 20], true],
    [[1, 1, 256], [256, 1024], true],
    [[2, 3, 1, 16], [16, 12], true],
    [[1, 17], [17, 33], false],
    [[4, 1, 5], [4, 5, 3], false],
  ];
  it.each(cases)('%j @ %j with a bias + gelu epilogue (vec4: %s)', async (sa, sb, wide) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', sa);
    const w = b.input('w', 'f32', sb);
    const bias = b.constant(randomTensor('f32', [sb[sb.length - 1]], 9));
    b.output(b.op('gelu', [b.op('add', [b.op('matmul', [x, w]), bias])]), 'y');
    const wgsl = matmulKernel(b.graph);
    expect(wgsl.includes('array<vec4<f32>>')).toBe(wide);
    // One row of accumulators per invocation.
    expect(wgsl).toMatch(/acc_0_0/);
    expect(wgsl).not.toMatch(/acc_1_0/);
    await matchesReference(b.graph, [{ x: randomTensor('f32', sa, 1), w: randomTensor('f32', sb, 2) }]);
  });

  it('a tuned configuration for the group wins over the row template', () => {
    const b = new GraphBuilder();
    b.output(b.op('matmul', [b.input('x', 'f32', [1, 16]), b.input('w', 'f32', [16, 20])]), 'y');
    expect(matmulKernel(b.graph, { vec4MatmulConfig: () => ({ wgX: 16, wgY: 1, tm: 4, tn4: 1 }) })).toMatch(/acc_3_0/);
  });

  it('decode-step attention over a symbolic cache (scores and weighted values) at T = 1, 13 and 700, one plan', async () => {
    const [h, dh] = [3, 8];
    const b = new GraphBuilder();
    const q = b.input('q', 'f32', [1, h, 1, dh]);
    const k = b.input('k', 'f32', [1, h, 'T', dh]);
    const v = b.input('v', 'f32', [1, h, 'T', dh]);
    const scores = b.op('matmul', [q, b.op('transpose', [k], { perm: [0, 1, 3, 2] })]);
    const weights = b.op('softmax', [scores], { axis: -1 });
    b.output(scores, 'scores');
    b.output(b.op('matmul', [weights, v]), 'out');
    const options = { dims: { T: { min: 1, max: 1024 } } };
    const plan = compile(b.graph, options);
    expect(plan.kernels.filter((kn) => kn.name.includes('matmul')).every((kn) => !kn.wgsl.includes('acc_1_0'))).toBe(true);
    const inputs = (t: number) => ({ q: randomTensor('f32', [1, h, 1, dh], t), k: randomTensor('f32', [1, h, t, dh], t + 1), v: randomTensor('f32', [1, h, t, dh], t + 2) });
    await matchesReference(b.graph, [1, 13, 700].map(inputs), options);
  });
});
