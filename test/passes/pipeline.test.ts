import { describe, expect, it } from 'vitest';
import type { Graph } from '../../ir/index.js';
import { GraphBuilder, hostTensor, UsageError } from '../../ir/index.js';
import { PASS_NAMES, PIPELINE, runPasses } from '../../compiler/pipeline.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';
import { expectSameResults, randomInputs } from './helpers.js';

let seed = 500;
const tensor = (b: GraphBuilder, shape: number[], name: string, lo = -0.5, hi = 0.5) => b.constant(randomTensor('f32', shape, seed++, lo, hi), name);
const scalar = (b: GraphBuilder, value: number, name: string) => b.constant(hostTensor('f32', [], [value]), name);

/**
 * A small exported model, as an exporter would spell it: a decomposed LayerNorm, a Gemm whose
 * weight is a constant expression, an erf GELU dividing by √2, attention (softmax between matmuls), a
 * conv + BatchNorm branch, redundant layout ops, a dead branch and a step counter.
 */
function exportedModel(): Graph {
  const b = new GraphBuilder('exported');
  const x = b.input('x', 'f32', ['B', 5, 16]);
  const image = b.input('image', 'f32', ['B', 3, 6, 6]);
  // LayerNorm, with `x - mean` written twice.
  const mean = b.op('reduceMean', [x], { axes: [-1], keepdims: true }, 'ln/mean');
  const d = b.op('sub', [x, mean], {}, 'ln/d');
  const variance = b.op('reduceMean', [b.op('pow', [b.op('sub', [x, mean], {}, 'ln/d2'), scalar(b, 2, 'ln/two')], {}, 'ln/sq')], { axes: [-1], keepdims: true }, 'ln/var');
  const normed = b.op('div', [d, b.op('sqrt', [b.op('add', [variance, scalar(b, 1e-5, 'ln/eps')], {}, 'ln/ve')], {}, 'ln/std')], {}, 'ln/n');
  const ln = b.op('add', [b.op('mul', [normed, tensor(b, [16], 'ln/g', 0.5, 1.5)], {}, 'ln/scaled'), tensor(b, [16], 'ln/b')], {}, 'ln');
  // Gemm with a weight computed from constants, then GELU.
  const w = b.op('mul', [tensor(b, [16, 32], 'fc/w0'), scalar(b, 2, 'fc/two')], {}, 'fc/w');
  const h = b.op('add', [b.op('matmul', [ln, w], {}, 'fc/mm'), tensor(b, [32], 'fc/bias')], {}, 'fc');
  const erf = b.op('erf', [b.op('div', [h, scalar(b, Math.SQRT2, 'gelu/sqrt2')], {}, 'gelu/div')], {}, 'gelu/erf');
  const gelu = b.op('mul', [b.op('mul', [h, b.op('add', [erf, scalar(b, 1, 'gelu/one')], {}, 'gelu/add')], {}, 'gelu/mul'), scalar(b, 0.5, 'gelu/half')], {}, 'gelu');
  // Scores = gelu @ geluᵀ, through a redundant double transpose and reshape chain; softmax.
  const t = b.op('transpose', [b.op('transpose', [gelu], { perm: [0, 2, 1] }, 't1')], { perm: [0, 2, 1] }, 't2');
  const r = b.op('reshape', [b.op('reshape', [t], { shape: [-1, 160] }, 'r1')], { shape: [-1, 5, 32] }, 'r2');
  const scores = b.op('mul', [b.op('matmul', [r, b.op('transpose', [gelu], { perm: [0, 2, 1] }, 'gT')], {}, 'qk'), scalar(b, 1, 'one')], {}, 'scores');
  const e = b.op('exp', [b.op('sub', [scores, b.op('reduceMax', [scores], { axes: [-1], keepdims: true }, 'sm/max')], {}, 'sm/shift')], {}, 'sm/exp');
  const probs = b.op('div', [e, b.op('reduceSum', [e], { axes: [-1], keepdims: true }, 'sm/sum')], {}, 'probs');
  b.output(b.op('identity', [b.op('matmul', [probs, ln], {}, 'context')], {}, 'contextCopy'), 'context');
  // Conv + inference BatchNorm + ReLU.
  const conv = b.op('conv', [image, tensor(b, [4, 3, 3, 3], 'conv/w'), tensor(b, [4], 'conv/b')], { pads: [1, 1, 1, 1] }, 'conv');
  const bn = b.op('add', [b.op('mul', [conv, tensor(b, [4, 1, 1], 'bn/scale', 0.5, 2)], {}, 'bn/mul'), tensor(b, [4, 1, 1], 'bn/shift')], {}, 'bn');
  b.output(b.op('relu', [bn], {}, 'features'));
  // Dead code and a state.
  b.op('exp', [b.op('neg', [x], {}, 'dead/neg')], {}, 'dead/exp');
  const steps = b.state('steps', hostTensor('i32', [], [0]));
  b.updateState(steps, b.op('add', [steps, b.constant(hostTensor('i32', [], [1]), 'stepOne')], {}, 'nextStep'));
  return b.graph;
}

const DIMS = { B: 2 };

describe('the pass pipeline', () => {
  it('with every pass on gives the reference results of every pass off', () => {
    const source = exportedModel();
    const unoptimized = runPasses(source, { disable: PASS_NAMES });
    expect(unoptimized).toBe(source);
    const optimized = runPasses(source, { verify: true });
    expectSameResults(source, optimized, [1, 2], { rtol: 2e-5, atol: 2e-5 }, DIMS);
    const ops = optimized.nodes.map((n) => n.op);
    expect(ops).toEqual(expect.arrayContaining(['layerNorm', 'gelu', 'attention', 'conv']));
    expect(ops).not.toContain('softmax');
    for (const gone of ['pow', 'sqrt', 'erf', 'exp', 'reduceMax', 'identity', 'neg']) expect(ops).not.toContain(gone);
    expect(ops.filter((op) => op === 'transpose')).toHaveLength(1);
    expect(ops.filter((op) => op === 'reshape')).toHaveLength(0);
    expect(optimized.nodes.length).toBeLessThan(source.nodes.length / 3);
  });

  it('with any one pass off gives the same results too', () => {
    const source = exportedModel();
    const inputs = randomInputs(source, 3, DIMS);
    const want = interpret(source, inputs).outputList;
    for (const name of PASS_NAMES) {
      const got = interpret(runPasses(source, { disable: [name], verify: true }), inputs).outputList;
      want.forEach((t, i) => expectClose(got[i], t, { rtol: 2e-5, atol: 2e-5 }, `${name} off, output ${i}`));
    }
  });

  it('names every pass once, and rejects an unknown name listing the valid ones', () => {
    expect(PASS_NAMES).toEqual([...new Set(PIPELINE.map((p) => p.name))]);
    expect(PASS_NAMES).toHaveLength(10);
    const source = exportedModel();
    expect(() => runPasses(source, { disable: ['foldConstant'] })).toThrowError(UsageError);
    expect(() => runPasses(source, { disable: ['foldConstant'] })).toThrowError(/unknown graph pass 'foldConstant'.*foldConstants, checkConstantIndices, simplifyAlgebra/);
  });

  it('the optimized graph runs on the GPU and matches the reference of the source', async () => {
    const source = exportedModel();
    const optimized = runPasses(source);
    const inputs = randomInputs(source, 4, DIMS);
    const want = interpret(source, inputs).outputs;
    const got = await runOnGpu(optimized, inputs, { dims: DIMS });
    for (const name of ['context', 'features']) expectClose(got[name], want[name], { rtol: 1e-4, atol: 1e-4 }, name);
  });
});

