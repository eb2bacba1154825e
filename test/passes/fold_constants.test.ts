import { describe, expect, it } from 'vitest';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { foldConstants, makeFoldConstants } from '../../compiler/passes/fold_constants.js';
import { expectSameResults, printGraph, text } from './helpers.js';

describe('foldConstants', () => {
  it('folds a shape-computing subgraph and a constant weight expression', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 6]);
    // ONNX-style shape arithmetic: concat(shape[0:1], [3, -1]) as i32 tensors.
    const shape = b.constant(hostTensor('i32', [2], [2, 6]), 'shape');
    const head = b.op('slice', [shape], { starts: [0], ends: [1] }, 'head');
    const tail = b.constant(hostTensor('i32', [2], [3, -1]), 'tail');
    const target = b.op('concat', [head, tail], { axis: 0 }, 'target');
    const gamma = b.constant(hostTensor('f32', [2], [1, 4]), 'gamma');
    const variance = b.constant(hostTensor('f32', [2], [3, 0.5]), 'variance');
    const eps = b.constant(hostTensor('f32', [], [1]), 'eps');
    const scale = b.op('div', [gamma, b.op('sqrt', [b.op('add', [variance, eps], {}, 'varEps')], {}, 'std')], {}, 'scale');
    const t = b.op('transpose', [x], {}, 'xt');
    b.output(b.op('mul', [t, scale], {}, 'y'));
    b.output(target, 'newShape');
    const after = foldConstants(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[2,6]) {
        %newShape = const : i32[3]
        %scale = const : f32[2]
        %xt = transpose(%x) {perm=[]} : f32[6,2]
        %y = mul(%xt, %scale) : f32[6,2]
        return %y, %newShape
      }`);
    const folded = [...after.constants.values()];
    expect(Array.from(folded[0].data)).toEqual([2, 3, -1]);
    // Each folded op rounds to f32, as its kernel would: sqrt first, then the division.
    expect(Array.from(folded[1].data)).toEqual([Math.fround(1 / 2), Math.fround(4 / Math.fround(Math.sqrt(1.5)))]);
    expectSameResults(b.graph, after);
  });

  it('never folds random ops, states, or results over the size cap', () => {
    const b = new GraphBuilder();
    const key = b.constant(hostTensor('u32', [2], [7, 0]), 'key');
    const noise = b.op('randomUniform', [key], { shape: [4] }, 'noise');
    const w = b.state('w', hostTensor('f32', [4], [1, 2, 3, 4]));
    const big = b.op('fill', [], { shape: [100], value: 3 }, 'big');
    const small = b.op('fill', [], { shape: [4], value: 3 }, 'small');
    const y = b.op('add', [b.op('mul', [noise, w], {}, 'nw'), small], {}, 'y');
    b.output(y);
    b.output(b.op('neg', [big], {}, 'negBig'));
    const after = makeFoldConstants({ maxElements: 50 })(b.graph);
    expect(after.nodes.map((n) => n.name)).toEqual(['noise', 'big', 'nw', 'y', 'negBig']);
    expect([...after.constants.keys()].map((v) => v.name)).toEqual(['key', 'small']);
    expectSameResults(b.graph, after);
  });

  it('leaves generators that would grow the weights (fill, expand of a scalar) to fuse at run time', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [64, 128]);
    const zeros = b.op('fill', [], { shape: [64, 128], value: 0 }, 'zeros');
    const halves = b.op('expand', [b.constant(hostTensor('f32', [], [0.5]), 'half')], { shape: [64, 128] }, 'halves');
    const small = b.op('expand', [b.constant(hostTensor('f32', [], [2]), 'two')], { shape: [128] }, 'twos');
    b.output(b.op('add', [b.op('mul', [x, halves], {}, 'scaled'), b.op('add', [zeros, small], {}, 'offset')], {}, 'y'));
    const after = foldConstants(b.graph);
    expect(after.nodes.map((n) => n.name)).toEqual(['zeros', 'halves', 'scaled', 'offset', 'y']);
    expect(after.constants.get(after.nodes[3].inputs[1])?.shape).toEqual([128]);
    expectSameResults(b.graph, after);
  });

  it('folds a node whose result is a graph output into a constant output', () => {
    const b = new GraphBuilder();
    const c = b.constant(hostTensor('i32', [3], [1, -2, 3]), 'c');
    b.output(b.op('abs', [c], {}, 'absC'));
    const after = foldConstants(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main() {
        %absC = const : i32[3]
        return %absC
      }`);
    expectSameResults(b.graph, after);
  });
});
