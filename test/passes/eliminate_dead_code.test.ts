import { describe, expect, it } from 'vitest';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { eliminateDeadCode } from '../../compiler/passes/eliminate_dead_code.js';
import { expectSameResults, printGraph, text } from './helpers.js';

describe('eliminateDeadCode', () => {
  it('drops nodes no output or state update needs, and the constants only they read', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['N', 3]);
    const unused = b.input('unused', 'f32', [2]);
    const two = b.constant(hostTensor('f32', [], [2]), 'two');
    const big = b.constant(hostTensor('f32', [3], [1, 2, 3]), 'big');
    const count = b.state('count', hostTensor('i32', [], [0]));
    const one = b.constant(hostTensor('i32', [], [1]), 'one');
    b.op('exp', [b.op('mul', [x, big], {}, 'scaled')], {}, 'deadExp');
    b.op('neg', [unused], {}, 'deadNeg');
    b.updateState(count, b.op('add', [count, one], {}, 'next'));
    b.output(b.op('mul', [x, two], {}, 'y'));
    const after = eliminateDeadCode(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[N,3], %unused: f32[2]) {
        %two = const : f32[]
        %one = const : i32[]
        %count = state : i32[]
        %next = add(%count, %one) : i32[]
        %y = mul(%x, %two) : f32[N,3]
        %count <- %next
        return %y
      }`);
    expectSameResults(b.graph, after, [1, 2], undefined, { N: 4 });
  });

  it('keeps a multi-output node when one of its outputs is live', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [5]);
    const [values] = b.apply('topK', [x], { k: 2 }, 'top');
    b.output(b.op('neg', [values], {}, 'y'));
    const after = eliminateDeadCode(b.graph);
    expect(after.nodes.map((n) => n.op)).toEqual(['topK', 'neg']);
    expectSameResults(b.graph, after);
  });
});
