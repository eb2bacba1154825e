import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { chooseSplit, splitLongReductions } from '../../compiler/passes/split_long_reductions.js';
import type { DType, Graph, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { expectGpuMatchesReference } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';
import { expectSameResults } from './helpers.js';

/**
 * splitLongReductions: a reduction with few outputs over a long extent becomes two reductions.
 * The oracle is the reference interpreter on the graph before the pass (and, on the GPU, the
 * compiled plan against it); integer sums and max/min must be exact, float sums and means within
 * reassociation.
 */
function reduction(op: string, dtype: DType, shape: StaticShape, axes: number[], keepdims: boolean, square = false): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', dtype, shape);
  const source = square ? b.op('mul', [x, x]) : x;
  b.output(b.op(op, [source], { axes, keepdims }, 'r'), 'y');
  return b.graph;
}

const reductionsIn = (g: Graph) => g.nodes.filter((n) => n.op.startsWith('reduce')).map((n) => `${n.op} ${n.inputs[0].type.shape.join('x')} -> ${n.outputs[0].type.shape.join('x')}`);

describe('splitLongReductions', () => {
  it('chooses the largest inner factor up to what the target asks, innermost axis among equals', () => {
    // A gradient's squared norm: one output over 784·256; axis 0 offers 784, axis 1 256.
    expect(chooseSplit([784, 256], [0, 1])).toEqual({ axis: 0, parts: 784 });
    // Batch-norm statistics over N, H, W of [64, 64, 28, 28]: 64 outputs want 32 parts each.
    expect(chooseSplit([64, 64, 28, 28], [0, 2, 3])).toEqual({ axis: 0, parts: 32 });
    // More outputs than one workgroup's 64 invocations: left alone; a short extent too.
    expect(chooseSplit([65, 4096], [1])).toBeNull();
    expect(chooseSplit([4096, 2048], [0])).toBeNull();
    expect(chooseSplit([4, 1000], [1])).toBeNull();
    // A prime extent has no divisor in range.
    expect(chooseSplit([1, 4099], [1])).toBeNull();
  });

  it('rewrites a long full reduction into two, and keeps short, integer-mean, f16 and symbolic ones', () => {
    const after = splitLongReductions(reduction('reduceSum', 'f32', [784, 256], [], false, true));
    expect(reductionsIn(after)).toEqual(['reduceSum 1x784x256 -> 1x784x1', 'reduceSum 1x784x1 -> ']);
    expect(reductionsIn(splitLongReductions(reduction('reduceSum', 'f32', [8, 100], [1], false)))).toEqual(['reduceSum 8x100 -> 8']);
    expect(reductionsIn(splitLongReductions(reduction('reduceMean', 'i32', [1, 8192], [1], false)))).toEqual(['reduceMean 1x8192 -> 1']);
    expect(reductionsIn(splitLongReductions(reduction('reduceSum', 'f16', [1, 8192], [1], false)))).toEqual(['reduceSum 1x8192 -> 1']);
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['N', 8192]);
    b.output(b.op('reduceSum', [x], { axes: [1] }), 'y');
    expect(reductionsIn(splitLongReductions(b.graph))).toEqual(['reduceSum Nx8192 -> N']);
  });

  const cases: [string, DType, StaticShape, number[], boolean][] = [
    ['reduceSum', 'f32', [784, 256], [], false],
    ['reduceSum', 'f32', [784, 256], [0, 1], true],
    ['reduceMean', 'f32', [32, 8, 12, 10], [0, 2, 3], true],
    ['reduceMean', 'f32', [32, 8, 12, 10], [0, 2, 3], false],
    ['reduceMax', 'f32', [3, 5000], [1], false],
    ['reduceMin', 'f32', [5000, 3], [0], true],
    ['reduceSum', 'i32', [6, 4096], [1], false],
    ['reduceMax', 'i32', [4096, 2, 3], [0, 2], false],
  ];
  for (const [op, dtype, shape, axes, keepdims] of cases) {
    it(`${op} ${dtype}[${shape.join(',')}] over [${axes.join(',')}]${keepdims ? ' keepdims' : ''}: split, same values on the reference interpreter`, () => {
      const before = reduction(op, dtype, shape, axes, keepdims, dtype === 'f32' && op === 'reduceSum');
      const after = splitLongReductions(before);
      expect(reductionsIn(after)).toHaveLength(2);
      // Integer sums (wrapping) and max/min are exact; float sums and means reassociate.
      const exact = dtype === 'i32' || op === 'reduceMax' || op === 'reduceMin';
      expectSameResults(before, after, [1, 2], exact ? { rtol: 0, atol: 0 } : { rtol: 1e-5, atol: 1e-5 });
    });
  }

  it('on the GPU: compiled plans (the pass is in the pipeline) equal the reference interpreter on the unsplit graph', async () => {
    const device = await getDefaultDevice();
    for (const [i, [op, dtype, shape, axes, keepdims]] of cases.entries()) {
      const graph = reduction(op, dtype, shape, axes, keepdims, dtype === 'f32' && op === 'reduceSum');
      expect(compile(graph, { limits: device.limits }).steps.length, `${op} ${shape.join('x')}`).toBeGreaterThanOrEqual(2);
      await expectGpuMatchesReference(graph, [{ x: randomTensor(dtype, shape, 40 + i, -3, 3) }], { rtol: 1e-5, atol: 1e-4 });
    }
  });
});
