import { describe, expect, it } from 'vitest';
import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder, hostTensor, ShapeError } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import type { Tolerance } from '../helpers/compare.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/**
 * matmul (numpy semantics): the reference against hand-computed products, then the GPU against
 * the reference on every shape family (vectors, matrices, broadcast batches, odd sizes).
 */

const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** f32 tolerance for dot products of length k with factors of magnitude ≤ 2. */
function dotTol(k: number): Tolerance {
  return { rtol: 1e-5, atol: 1e-5 + 1e-6 * k };
}

interface HandCase {
  readonly a: HostTensor;
  readonly b: HostTensor;
  readonly shape: StaticShape;
  readonly product: readonly number[];
}

const t = (dtype: DType, shape: StaticShape, values: readonly number[]) => hostTensor(dtype, shape, values);

function handCases(dtype: DType): Record<string, HandCase> {
  return {
    square: { a: t(dtype, [2, 2], [1, 2, 3, 4]), b: t(dtype, [2, 2], [5, 6, 7, 8]), shape: [2, 2], product: [19, 22, 43, 50] },
    dot: { a: t(dtype, [3], [1, 2, 3]), b: t(dtype, [3], [4, 5, 6]), shape: [], product: [32] },
    vecMat: { a: t(dtype, [2], [1, 2]), b: t(dtype, [2, 3], [1, 2, 3, 4, 5, 6]), shape: [3], product: [9, 12, 15] },
    matVec: { a: t(dtype, [2, 3], [1, 2, 3, 4, 5, 6]), b: t(dtype, [3], [1, 0, -1]), shape: [2], product: [-2, -2] },
    // Two batches of a 1x2 row times one shared 2x2 matrix.
    broadcastBatch: { a: t(dtype, [2, 1, 2], [1, 2, 3, 4]), b: t(dtype, [2, 2], [1, 0, 1, 1]), shape: [2, 1, 2], product: [3, 2, 7, 4] },
    // Batch dims [2,1] and [3] broadcast to [2,3]; each product is a 1x1 dot of length 1.
    batchGrid: {
      a: t(dtype, [2, 1, 1, 1], [2, 3]),
      b: t(dtype, [3, 1, 1], [1, 10, 100]),
      shape: [2, 3, 1, 1],
      product: [2, 20, 200, 3, 30, 300],
    },
    // An empty inner dim sums nothing.
    emptyK: { a: t(dtype, [2, 0], []), b: t(dtype, [0, 3], []), shape: [2, 3], product: [0, 0, 0, 0, 0, 0] },
  };
}

function buildHand(dtype: DType): { graph: GraphBuilder; inputs: Record<string, HostTensor>; cases: Record<string, HandCase> } {
  const graph = new GraphBuilder();
  const inputs: Record<string, HostTensor> = {};
  const cases = handCases(dtype);
  for (const [name, c] of Object.entries(cases)) {
    inputs[`${name}_a`] = c.a;
    inputs[`${name}_b`] = c.b;
    const y = graph.op('matmul', [graph.input(`${name}_a`, dtype, c.a.shape), graph.input(`${name}_b`, dtype, c.b.shape)]);
    graph.output(y, name);
  }
  return { graph, inputs, cases };
}

describe('matmul against hand-computed products', () => {
  it.each(['f32', 'i32'] as DType[])('reference (%s)', (dtype) => {
    const { graph, inputs, cases } = buildHand(dtype);
    const out = interpret(graph.graph, inputs).outputs;
    for (const [name, c] of Object.entries(cases)) {
      expect(out[name].shape, name).toEqual(c.shape);
      expect([...out[name].data], name).toEqual(c.product);
    }
  });

  it.each(['f32', 'i32'] as DType[])('GPU (%s)', async (dtype) => {
    const { graph, inputs, cases } = buildHand(dtype);
    const out = await runOnGpu(graph.graph, inputs);
    for (const [name, c] of Object.entries(cases)) {
      expect(out[name].shape, name).toEqual(c.shape);
      expect([...out[name].data], name).toEqual(c.product);
    }
  });

  it('i32 products wrap modulo 2³² like the device', () => {
    const g = new GraphBuilder();
    g.output(g.op('matmul', [g.input('a', 'i32', [2]), g.input('b', 'i32', [2])]), 'y');
    const out = interpret(g.graph, { a: t('i32', [2], [65536, 1]), b: t('i32', [2], [65536, 5]) }).outputs;
    expect([...out.y.data]).toEqual([5]);
  });

  it('rejects mismatched inner dims naming the node', () => {
    const g = new GraphBuilder();
    expect(() => g.op('matmul', [g.input('a', 'f32', [3, 4]), g.input('b', 'f32', [5, 2])], {}, 'fc')).toThrowError(ShapeError);
    expect(() => g.op('matmul', [g.input('c', 'f32', [3, 4]), g.input('d', 'f32', [5, 2])], {}, 'fc2')).toThrowError(/matmul 'fc2'/);
  });
});

describe('matmul, GPU vs reference', () => {
  const SHAPES: [string, StaticShape, StaticShape][] = [
    ['scalarDot', [1], [1]],
    ['dot17', [17], [17]],
    ['vecMat', [17], [17, 5]],
    ['matVec', [3, 17], [17]],
    ['matMat', [3, 17], [17, 5]],
    ['oneByOne', [1, 1], [1, 1]],
    ['vecBatched', [5], [2, 5, 3]],
    ['batchedVec', [2, 3, 5], [5]],
    ['broadcastBatches', [2, 1, 4, 5], [3, 5, 6]],
    ['sharedRight', [4, 3, 17], [17, 1]],
    ['wide', [1025, 3], [3, 1025]],
    ['longK', [2, 1025], [1025, 3]],
  ];

  it.each(['f32', 'i32'] as DType[])('every shape family (%s)', async (dtype) => {
    const g = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {};
    const tol: Record<string, Tolerance> = {};
    SHAPES.forEach(([name, aShape, bShape], i) => {
      // Ints small enough that every product is exact without wrapping.
      inputs[`${name}_a`] = randomTensor(dtype, aShape, 100 + i, dtype === 'i32' ? -50 : -2, dtype === 'i32' ? 50 : 2);
      inputs[`${name}_b`] = randomTensor(dtype, bShape, 200 + i, dtype === 'i32' ? -50 : -2, dtype === 'i32' ? 50 : 2);
      g.output(g.op('matmul', [g.input(`${name}_a`, dtype, aShape), g.input(`${name}_b`, dtype, bShape)]), name);
      tol[name] = dtype === 'i32' ? EXACT : dotTol(aShape[aShape.length - 1]);
    });
    const expected = interpret(g.graph, inputs).outputs;
    const actual = await runOnGpu(g.graph, inputs);
    for (const [name] of SHAPES) expectClose(actual[name], expected[name], tol[name], name);
    expect(expected.broadcastBatches.shape).toEqual([2, 3, 4, 6]);
    expect(expected.vecBatched.shape).toEqual([2, 3]);
    expect(expected.scalarDot.shape).toEqual([]);
  });

  it('wrapping i32 products agree exactly', async () => {
    const g = new GraphBuilder();
    g.output(g.op('matmul', [g.input('a', 'i32', [4, 33]), g.input('b', 'i32', [33, 7])]), 'y');
    const inputs = { a: randomTensor('i32', [4, 33], 1, -2e9, 2e9), b: randomTensor('i32', [33, 7], 2, -2e9, 2e9) };
    expectClose((await runOnGpu(g.graph, inputs)).y, interpret(g.graph, inputs).outputs.y, EXACT, 'y');
  });
});
