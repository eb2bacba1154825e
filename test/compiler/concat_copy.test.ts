import { describe, expect, it } from 'vitest';
import type { CompileOptions } from '../../compiler/compile.js';
import { compile } from '../../compiler/compile.js';
import type { DType, Graph, HostTensor, Shape, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { expectGpuMatchesReference } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/**
 * The concat_copy template (targets/wgsl/templates/concat_copy.ts): a group whose output is a
 * concat, copied a unit (vec4 or element) per invocation. Every case runs on the GPU against
 * the reference interpreter; copies must be exact, fused arithmetic within float rounding.
 */

/** The GPU against the reference interpreter, copies exact, fused arithmetic within float rounding. */
const matchesReference = (graph: Graph, inputSets: readonly Record<string, HostTensor>[], options: Omit<CompileOptions, 'limits'> = {}) => expectGpuMatchesReference(graph, inputSets, { rtol: 1e-6, atol: 1e-6 }, options);

/** The WGSL of the plan's kernels that end in a concat. */
function concatKernels(graph: Graph, options: Omit<CompileOptions, 'limits'> = {}): string[] {
  return compile(graph, options)
    .kernels.filter((k) => k.name.endsWith('concat'))
    .map((k) => k.wgsl);
}

/** Concats of inputs straight from memory: `sizes[k]` along `axis` of `base`. */
function plainConcat(dtype: DType, base: StaticShape, axis: number, sizes: readonly number[]): { graph: Graph; inputs: Record<string, HostTensor> } {
  const b = new GraphBuilder();
  const inputs: Record<string, HostTensor> = {};
  const parts = sizes.map((n, k) => {
    const shape = base.map((d, i) => (i === axis ? n : d));
    inputs[`x${k}`] = randomTensor(dtype, shape, 10 + k, -50, 50);
    return b.input(`x${k}`, dtype, shape);
  });
  b.output(b.op('concat', parts, { axis }), 'y');
  return { graph: b.graph, inputs };
}

describe('concat_copy template', () => {
  // Odd sizes (1, 3, 17), every axis position, 2-4 inputs; inner blocks that are and are not multiples of 4.
  const cases: [StaticShape, number, number[]][] = [
    [[17], 0, [1, 3, 17]],
    [[3, 5], 0, [1, 17]],
    [[3, 5], 1, [3, 1, 17, 2]],
    [[2, 3, 4], 0, [1, 3]],
    [[2, 3, 4], 1, [17, 1, 3]],
    [[2, 3, 4], 2, [4, 8, 12]],
    [[3, 1, 17, 8], 2, [1, 3]],
    [[3, 1, 17, 8], 3, [1, 17, 3, 4]],
    [[1, 7, 3], 0, [1, 1]],
  ];
  it.each(cases)('f32 inputs from memory: base %j, axis %i, sizes %j', async (base, axis, sizes) => {
    const { graph, inputs } = plainConcat('f32', base, axis, sizes);
    expect(concatKernels(graph)[0]).toMatch(/var unit:/);
    await matchesReference(graph, [inputs]);
  });

  it('takes vec4 units exactly where every block is a multiple of 4 elements', () => {
    const wide = (g: Graph) => concatKernels(g)[0].includes('array<vec4<f32>>');
    expect(wide(plainConcat('f32', [2, 3, 4], 1, [17, 1, 3]).graph)).toBe(true);
    expect(wide(plainConcat('f32', [2, 3, 4], 2, [4, 8, 12]).graph)).toBe(true);
    expect(wide(plainConcat('f32', [3, 5], 1, [3, 1, 17, 2]).graph)).toBe(false);
    expect(wide(plainConcat('f32', [3, 1, 17, 8], 3, [1, 17, 3, 4]).graph)).toBe(false);
    expect(wide(plainConcat('i32', [2, 3, 4], 1, [17, 1, 3]).graph)).toBe(false);
  });

  it.each(['i32', 'bool'] as const)('%s elements, copied one per invocation', async (dtype) => {
    for (const [base, axis, sizes] of [cases[2], cases[4], cases[7]]) {
      const { graph, inputs } = plainConcat(dtype, base, axis, sizes);
      await matchesReference(graph, [inputs]);
    }
  });

  it('fused producers are read through their accesses; the same tensor twice', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 4, 8]);
    const y = b.input('y', 'f32', [8, 3]);
    const z = b.input('z', 'f32', [3, 5, 8]);
    // A transposed and reshaped producer, an elementwise one, x itself twice (direct and scaled).
    const yt = b.op('reshape', [b.op('transpose', [y], { perm: [1, 0] })], { shape: [3, 1, 8] });
    const scaled = b.op('mul', [z, b.constant(randomTensor('f32', [8], 3))]);
    b.output(b.op('concat', [x, yt, scaled, x, b.op('neg', [x])], { axis: 1 }), 'wide');
    b.output(b.op('concat', [b.op('sqrt', [b.op('abs', [y])]), y, y], { axis: 0 }), 'narrow');
    const inputs = { x: randomTensor('f32', [3, 4, 8], 1), y: randomTensor('f32', [8, 3], 2), z: randomTensor('f32', [3, 5, 8], 4) };
    expect(concatKernels(b.graph).every((k) => k.includes('var unit:'))).toBe(true);
    await matchesReference(b.graph, [inputs]);
  });

  /**
   * The decode step's cache append: past [1, h, T, dh] ++ the new row, sliced from a projection
   * and transposed, with T symbolic: one plan run at T = 1, a prime and a large T.
   */
  function cacheAppend(dh: number, facts: CompileOptions['dims'] = { T: { min: 1, max: 2048 } }): { graph: Graph; options: Omit<CompileOptions, 'limits'>; inputs: (t: number) => Record<string, HostTensor> } {
    const h = 3;
    const b = new GraphBuilder();
    const past = b.input('past', 'f32', [1, h, 'T', dh]);
    const qkv = b.input('qkv', 'f32', [1, 1, 3 * h * dh]);
    const k = b.op('slice', [qkv], { starts: [h * dh], ends: [2 * h * dh], axes: [2], steps: [1] });
    const row = b.op('transpose', [b.op('reshape', [k], { shape: [1, 1, h, dh] })], { perm: [0, 2, 1, 3] });
    b.output(b.op('concat', [past, row], { axis: 2 }), 'present');
    const inputs = (t: number) => ({ past: randomTensor('f32', [1, h, t, dh], t), qkv: randomTensor('f32', [1, 1, 3 * h * dh], t + 1) });
    return { graph: b.graph, options: { dims: facts }, inputs };
  }

  it.each([8, 5])('a symbolic cache append (head dim %i) at T = 1, 127 and 1500, one plan', async (dh) => {
    const { graph, options, inputs } = cacheAppend(dh);
    const [wgsl] = concatKernels(graph, options);
    expect(wgsl).toMatch(/sizes\.v/);
    expect(wgsl.includes('array<vec4<f32>>')).toBe(dh % 4 === 0);
    await matchesReference(graph, [1, 127, 1500].map(inputs), options);
  });

  it('a symbolic concat along the last axis goes wide only where the facts make every block a multiple of 4', async () => {
    const build = (shapes: readonly Shape[]) => {
      const b = new GraphBuilder();
      b.output(b.op('concat', shapes.map((s, k) => b.input(`x${k}`, 'f32', s)), { axis: -1 }), 'y');
      return b.graph;
    };
    const graph = build([[2, 'S'], [2, 4], [2, 'S']]);
    const inputs = (s: number) => ({ x0: randomTensor('f32', [2, s], s), x1: randomTensor('f32', [2, 4], 1), x2: randomTensor('f32', [2, s], s + 1) });
    const plain = { dims: { S: { min: 1, max: 4096 } } };
    const byFour = { dims: { S: { min: 4, max: 4096, multipleOf: 4 } } };
    expect(concatKernels(graph, plain)[0].includes('array<vec4<f32>>')).toBe(false);
    expect(concatKernels(graph, byFour)[0].includes('array<vec4<f32>>')).toBe(true);
    await matchesReference(graph, [1, 3, 17, 1021].map(inputs), plain);
    await matchesReference(graph, [4, 20, 1024].map(inputs), byFour);
  });
});
