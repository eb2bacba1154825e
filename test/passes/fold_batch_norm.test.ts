import { describe, expect, it } from 'vitest';
import type { StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { foldBatchNormIntoContraction } from '../../compiler/passes/fold_batch_norm.js';
import { randomTensor } from '../helpers/random.js';
import { expectSameResults, printGraph, text } from './helpers.js';

let seed = 100;
const weight = (b: GraphBuilder, shape: StaticShape, name: string, lo = -1, hi = 1) => b.constant(randomTensor('f32', shape, seed++, lo, hi), name);

describe('foldBatchNormIntoContraction', () => {
  it('folds inference BatchNormalization (x*scale + shift) into a conv, with and without bias', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3, 7, 6]);
    const c1 = b.op('conv', [x, weight(b, [4, 3, 3, 3], 'w1'), weight(b, [4], 'b1')], { pads: [1, 1, 1, 1] }, 'conv1');
    const bn1 = b.op('add', [b.op('mul', [c1, weight(b, [4, 1, 1], 'scale1', 0.5, 2)], {}, 'bn1/scale'), weight(b, [4, 1, 1], 'shift1')], {}, 'bn1');
    const r = b.op('relu', [bn1], {}, 'relu1');
    // Grouped, strided, no bias; the shift comes first as [1,C,1,1], the scale is shared by all channels.
    const c2 = b.op('conv', [r, weight(b, [4, 2, 1, 3], 'w2')], { group: 2, strides: [2, 1] }, 'conv2');
    const bn2 = b.op('mul', [weight(b, [1], 'scale2', 0.5, 2), b.op('add', [c2, weight(b, [1, 4, 1, 1], 'shift2')], {}, 'bn2/shift')], {}, 'bn2');
    b.output(bn2, 'y');
    // A dead reader of conv1 does not block the fold (it stays, with the conv it reads:
    // removing dead code is DCE's job).
    b.op('neg', [c1], {}, 'deadReader');
    const after = foldBatchNormIntoContraction(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[2,3,7,6]) {
        %w1 = const : f32[4,3,3,3]
        %b1 = const : f32[4]
        %conv1/w_folded = const : f32[4,3,3,3]
        %conv1/b_folded = const : f32[4]
        %conv2/w_folded = const : f32[4,2,1,3]
        %conv2/b_folded = const : f32[4]
        %conv1 = conv(%x, %w1, %b1) {strides=[], pads=[1,1,1,1], dilations=[], group=1} : f32[2,4,7,6]
        %bn1 = conv(%x, %conv1/w_folded, %conv1/b_folded) {strides=[], pads=[1,1,1,1], dilations=[], group=1} : f32[2,4,7,6]
        %relu1 = relu(%bn1) : f32[2,4,7,6]
        %y = conv(%relu1, %conv2/w_folded, %conv2/b_folded) {strides=[2,1], pads=[], dilations=[], group=2} : f32[2,4,4,4]
        %deadReader = neg(%conv1) : f32[2,4,7,6]
        return %y
      }`);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-5, atol: 1e-5 });
  });

  it('folds it into a Gemm (matmul + bias) and a bare matmul', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [5, 6]);
    const gemm = b.op('add', [b.op('matmul', [x, weight(b, [6, 3], 'W1')], {}, 'mm1'), weight(b, [3], 'bias1')], {}, 'gemm1');
    const bn = b.op('add', [b.op('mul', [gemm, weight(b, [3], 'scale1', 0.5, 2)], {}, 'bn/scale'), weight(b, [3], 'shift1')], {}, 'bn');
    const mm2 = b.op('matmul', [bn, weight(b, [2, 3, 4], 'W2')], {}, 'mm2');
    b.output(b.op('mul', [mm2, weight(b, [1, 1, 4], 'scale2', 0.5, 2)], {}, 'scaled'), 'y');
    const after = foldBatchNormIntoContraction(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[5,6]) {
        %mm1/w_folded = const : f32[6,3]
        %mm1/b_folded = const : f32[3]
        %mm2/w_folded = const : f32[2,3,4]
        %mm1 = matmul(%x, %mm1/w_folded) : f32[5,3]
        %bn = add(%mm1, %mm1/b_folded) : f32[5,3]
        %y = matmul(%bn, %mm2/w_folded) : f32[2,5,4]
        return %y
      }`);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-5, atol: 1e-5 });
  });

  it('leaves contractions whose result is read elsewhere, non-per-channel constants and non-constant weights', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [1, 2, 4, 4]);
    const w = b.input('w', 'f32', [3, 2, 1, 1]);
    const shared = b.op('conv', [x, weight(b, [3, 2, 1, 1], 'w1')], {}, 'shared');
    b.output(b.op('mul', [shared, weight(b, [3, 1, 1], 's1')], {}, 'scaledShared'));
    b.output(b.op('relu', [shared], {}, 'alsoReadsShared'));
    const c2 = b.op('conv', [x, weight(b, [3, 2, 1, 1], 'w2')], {}, 'perColumn');
    b.output(b.op('mul', [c2, weight(b, [4], 's2')], {}, 'scaledColumns'));
    const c3 = b.op('conv', [x, w], {}, 'dynamicWeight');
    b.output(b.op('mul', [c3, weight(b, [3, 1, 1], 's3')], {}, 'scaledDynamic'));
    const c4 = b.op('conv', [x, weight(b, [3, 2, 1, 1], 'w4')], {}, 'output');
    b.output(c4);
    b.output(b.op('mul', [c4, weight(b, [3, 1, 1], 's4')], {}, 'scaledOutput'));
    const after = foldBatchNormIntoContraction(b.graph);
    expect(printGraph(after)).toBe(printGraph(b.graph));
    expectSameResults(b.graph, after);
  });
});
