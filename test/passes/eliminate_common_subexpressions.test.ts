import { describe, expect, it } from 'vitest';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { eliminateCommonSubexpressions } from '../../compiler/passes/eliminate_common_subexpressions.js';
import { expectSameResults, printGraph, text } from './helpers.js';

describe('eliminateCommonSubexpressions', () => {
  it('merges equal ops over equal inputs, equal-content constants included, chains too', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3]);
    const two1 = b.constant(hostTensor('f32', [], [2]), 'two1');
    const two2 = b.constant(hostTensor('f32', [], [2]), 'two2');
    const a1 = b.op('mul', [x, two1], {}, 'a1');
    const a2 = b.op('mul', [x, two2], {}, 'a2');
    const e1 = b.op('exp', [a1], {}, 'e1');
    const e2 = b.op('exp', [a2], {}, 'e2');
    // Same op and input, different attributes: not the same.
    const s1 = b.op('reduceSum', [e1], { axes: [0] }, 's1');
    const s2 = b.op('reduceSum', [e2], { axes: [1] }, 's2');
    const s3 = b.op('reduceSum', [e2], { keepdims: false, axes: [0] }, 's3');
    b.output(b.op('add', [e1, e2], {}, 'sum'));
    b.output(s1);
    b.output(s2);
    b.output(b.op('neg', [s3], {}, 'negS3'));
    const after = eliminateCommonSubexpressions(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[2,3]) {
        %two1 = const : f32[]
        %a1 = mul(%x, %two1) : f32[2,3]
        %e1 = exp(%a1) : f32[2,3]
        %s1 = reduceSum(%e1) {axes=[0], keepdims=false} : f32[3]
        %s2 = reduceSum(%e1) {axes=[1], keepdims=false} : f32[2]
        %sum = add(%e1, %e1) : f32[2,3]
        %negS3 = neg(%s1) : f32[3]
        return %sum, %s1, %s2, %negS3
      }`);
    expectSameResults(b.graph, after);
  });

  it('gives a duplicate graph output a copy of its own (it keeps its name) and never merges random draws', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4]);
    const key = b.input('key', 'u32', [2]);
    b.output(b.op('relu', [x], {}, 'r1'));
    b.output(b.op('relu', [x], {}, 'r2'));
    const d1 = b.op('randomUniform', [key], { shape: [4] }, 'd1');
    const d2 = b.op('randomUniform', [key], { shape: [4] }, 'd2');
    b.output(b.op('sub', [d1, d2], {}, 'diff'));
    const after = eliminateCommonSubexpressions(b.graph);
    expect(after.nodes.map((n) => `${n.op} ${n.name}`)).toEqual(['relu r1', 'identity r2', 'randomUniform d1', 'randomUniform d2', 'sub diff']);
    expectSameResults(b.graph, after);
  });
});
