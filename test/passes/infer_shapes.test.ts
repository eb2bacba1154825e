import { describe, expect, it } from 'vitest';
import { GraphBuilder, GraphError, hostTensor } from '../../ir/index.js';
import { inferShapes } from '../../compiler/passes/infer_shapes.js';
import { expectSameResults, printGraph, text } from './helpers.js';

describe('inferShapes', () => {
  it('propagates symbolic dims through matmul, broadcast, reduction and reshape', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['B', 'T', 4]);
    const w = b.constant(hostTensor('f32', [4, 6], new Float32Array(24).fill(0.5)), 'w');
    const h = b.op('matmul', [x, w], {}, 'h');
    const s = b.op('reduceSum', [h], { axes: [-1], keepdims: true }, 's');
    const y = b.op('sub', [h, s], {}, 'y');
    b.output(b.op('reshape', [y], { shape: ['B', 'T', 2, 3] }, 'split'));
    // The recorded types were left stale on purpose: inference must not trust them.
    for (const n of b.graph.nodes) n.outputs[0].type = { dtype: 'f32', shape: [] };
    const after = inferShapes(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[B,T,4]) {
        %w = const : f32[4,6]
        %h = matmul(%x, %w) : f32[B,T,6]
        %s = reduceSum(%h) {axes=[-1], keepdims=true} : f32[B,T,1]
        %y = sub(%h, %s) : f32[B,T,6]
        %split = reshape(%y) {shape=[B,T,2,3]} : f32[B,T,2,3]
        return %split
      }`);
    expectSameResults(b.graph, after, [1, 2], undefined, { B: 2, T: 3 });
  });

  it('makes every shape concrete once an input is', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['N', 3]);
    const y = b.op('transpose', [b.op('relu', [x], {}, 'r')], {}, 't');
    b.output(b.op('reduceMax', [y], { axes: [1] }, 'm'));
    b.graph.inputs[0].type = { dtype: 'f32', shape: [5, 3] };
    const after = inferShapes(b.graph);
    expect(after.nodes.map((n) => n.outputs[0].type.shape)).toEqual([[5, 3], [3, 5], [3]]);
    expectSameResults(b.graph, after);
  });

  it('puts out-of-order nodes in a topological order and names a node on a cycle', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3]);
    const e = b.op('exp', [x], {}, 'e');
    b.output(b.op('neg', [e], {}, 'n'));
    b.graph.nodes.reverse();
    const after = inferShapes(b.graph);
    expect(after.nodes.map((n) => n.name)).toEqual(['e', 'n']);
    expectSameResults(inferShapes(b.graph), after);
    b.graph.nodes[1].inputs = [b.graph.nodes[0].outputs[0]];
    expect(() => inferShapes(b.graph)).toThrowError(GraphError);
    expect(() => inferShapes(b.graph)).toThrowError(/cycle/);
  });
});
