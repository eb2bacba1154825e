import { describe, expect, it } from 'vitest';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { simplifyAlgebra } from '../../compiler/passes/simplify_algebra.js';
import { expectSameResults, printGraph, text } from './helpers.js';

describe('simplifyAlgebra', () => {
  it('removes arithmetic identities, but not a broadcasting one nor float x*0', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3]);
    const one = b.constant(hostTensor('f32', [], [1]), 'one');
    const zero = b.constant(hostTensor('f32', [1], [0]), 'zero');
    const ones = b.constant(hostTensor('f32', [4, 2, 3], new Float32Array(24).fill(1)), 'ones');
    let v = b.op('mul', [x, one], {}, 'm1');
    v = b.op('mul', [one, v], {}, 'm2');
    v = b.op('add', [v, zero], {}, 'a1');
    v = b.op('add', [zero, v], {}, 'a2');
    v = b.op('sub', [v, zero], {}, 's1');
    v = b.op('div', [v, one], {}, 'd1');
    v = b.op('pow', [v, one], {}, 'p1');
    v = b.op('identity', [v], {}, 'id');
    v = b.op('cast', [v], { to: 'f32' }, 'c');
    const r = b.op('relu', [v], {}, 'r');
    b.output(b.op('mul', [r, ones], {}, 'widened'));
    b.output(b.op('mul', [r, b.constant(hostTensor('f32', [], [0]), 'fzero')], {}, 'timesZero'));
    const after = simplifyAlgebra(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[2,3]) {
        %ones = const : f32[4,2,3]
        %fzero = const : f32[]
        %r = relu(%x) : f32[2,3]
        %widened = mul(%r, %ones) : f32[4,2,3]
        %timesZero = mul(%r, %fzero) : f32[2,3]
        return %widened, %timesZero
      }`);
    expectSameResults(b.graph, after);
  });

  it('turns integer x*0 into zeros and float division by a constant into a multiplication', () => {
    const b = new GraphBuilder();
    const i = b.input('i', 'i32', [3]);
    const x = b.input('x', 'f32', [2, 3]);
    b.output(b.op('mul', [i, b.constant(hostTensor('i32', [], [0]), 'izero')], {}, 'zeros'));
    b.output(b.op('div', [x, b.constant(hostTensor('f32', [3], [4, -0.5, 3]), 'c')], {}, 'q'));
    // Division by 0 keeps its own semantics: not rewritten.
    b.output(b.op('div', [x, b.constant(hostTensor('f32', [3], [1, 0, 2]), 'hasZero')], {}, 'q0'));
    b.output(b.op('div', [i, b.constant(hostTensor('i32', [], [2]), 'two')], {}, 'iq'));
    const after = simplifyAlgebra(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%i: i32[3], %x: f32[2,3]) {
        %hasZero = const : f32[3]
        %two = const : i32[]
        %q/reciprocal = const : f32[3]
        %zeros = fill() {shape=[3], value=0, dtype="i32"} : i32[3]
        %q = mul(%x, %q/reciprocal) : f32[2,3]
        %q0 = div(%x, %hasZero) : f32[2,3]
        %iq = div(%i, %two) : i32[3]
        return %zeros, %q, %q0, %iq
      }`);
    expect(Array.from([...after.constants.values()][2].data)).toEqual([0.25, -2, Math.fround(1 / 3)]);
    expectSameResults(b.graph, after, [1, 2, 3], { rtol: 2e-7, atol: 0 });
  });

  it('composes transposes and collapses reshape/squeeze/unsqueeze chains', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3, 4]);
    const t1 = b.op('transpose', [x], { perm: [1, 2, 0] }, 't1');
    const t2 = b.op('transpose', [t1], { perm: [1, 2, 0] }, 't2');
    b.output(b.op('transpose', [t2], { perm: [1, 2, 0] }, 'back'), 'back');
    b.output(b.op('transpose', [t1], {}, 'reversed'));
    b.output(b.op('transpose', [x], { perm: [0, 1, 2] }, 'same'));
    const r1 = b.op('reshape', [x], { shape: [6, 4] }, 'r1');
    const r2 = b.op('reshape', [r1], { shape: [24] }, 'r2');
    b.output(b.op('reshape', [r2], { shape: [4, -1] }, 'flat'));
    const u = b.op('unsqueeze', [x], { axes: [0, 3] }, 'u');
    b.output(b.op('relu', [b.op('squeeze', [u], { axes: [0, 3] }, 'sq')], {}, 'roundTrip'));
    b.output(b.op('relu', [b.op('reshape', [x], { shape: [2, 3, 4] }, 'noop')], {}, 'noopUser'));
    const y = b.input('y', 'f32', [2, 1, 4]);
    b.output(b.op('squeeze', [b.op('unsqueeze', [y], { axes: [0] }, 'u1')], { axes: [2] }, 'u1sq'));
    const after = simplifyAlgebra(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[2,3,4], %y: f32[2,1,4]) {
        %back = identity(%x) : f32[2,3,4]
        %reversed = transpose(%x) {perm=[0,2,1]} : f32[2,4,3]
        %same = identity(%x) : f32[2,3,4]
        %flat = reshape(%x) {shape=[4,6]} : f32[4,6]
        %roundTrip = relu(%x) : f32[2,3,4]
        %noopUser = relu(%x) : f32[2,3,4]
        %u1sq = reshape(%y) {shape=[1,2,4]} : f32[1,2,4]
        return %back, %reversed, %same, %flat, %roundTrip, %noopUser, %u1sq
      }`);
    expectSameResults(b.graph, after);
  });

  it('lets a graph output take over the intermediate it was an alias of', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3]);
    const r = b.op('relu', [x], {}, 'r');
    b.output(b.op('identity', [b.op('reshape', [r], { shape: [3] }, 'same')], {}, 'copy'), 'y');
    b.output(b.op('exp', [r], {}, 'e'));
    const after = simplifyAlgebra(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[3]) {
        %y = relu(%x) : f32[3]
        %e = exp(%y) : f32[3]
        return %y, %e
      }`);
    expectSameResults(b.graph, after);
  });
});
