import { describe, expect, it } from 'vitest';
import type { Attrs, DType, Shape } from '../../ir/index.js';
import { DTypeError, GraphBuilder, inferOp, ShapeError, sliceAxis } from '../../ir/index.js';

/** Output shape of one layout op applied to inputs of the given types, through the registry. */
function shapeOf(op: string, inputs: [DType, Shape][], attrs: Attrs): Shape {
  return inferOp(op, inputs.map(([dtype, shape]) => ({ dtype, shape })), attrs, `${op} 'n'`).outputs[0].shape;
}

/** Asserts that building `op` fails with `error`, and that the one-line message names the node. */
function expectFailure(op: string, inputs: [DType, Shape][], attrs: Attrs, error: typeof ShapeError | typeof DTypeError, detail: RegExp): void {
  const b = new GraphBuilder();
  const values = inputs.map(([dtype, shape], i) => b.input(`x${i}`, dtype, shape));
  let caught: unknown;
  try {
    b.op(op, values, attrs, 'the_node');
  } catch (e) {
    caught = e;
  }
  expect(caught, `${op} ${JSON.stringify(attrs)} should throw`).toBeInstanceOf(error);
  const message = (caught as Error).message;
  expect(message).toContain(`${op} 'the_node'`);
  expect(message).toMatch(detail);
  expect(message).not.toContain('\n');
}

describe('reshape inference', () => {
  it('resolves -1 from static and symbolic shapes', () => {
    expect(shapeOf('reshape', [['f32', [2, 3, 4]]], { shape: [4, -1] })).toEqual([4, 6]);
    expect(shapeOf('reshape', [['f32', [0, 3]]], { shape: [3, 0] })).toEqual([3, 0]);
    expect(shapeOf('reshape', [['f32', ['N', 3, 4]]], { shape: ['N', -1] })).toEqual(['N', 12]);
    expect(shapeOf('reshape', [['f32', ['N', 4]]], { shape: ['N', 2, -1] })).toEqual(['N', 2, 2]);
    expect(shapeOf('reshape', [['f32', ['N', 3]]], { shape: [3, -1] })).toEqual([3, 'N']);
  });

  it('rejects impossible targets, naming the node', () => {
    expectFailure('reshape', [['f32', [2, 3]]], { shape: [4, 2] }, ShapeError, /6 elements.*\[4,2\]/);
    expectFailure('reshape', [['f32', [2, 3]]], { shape: [-1, -1] }, ShapeError, /more than one -1/);
    expectFailure('reshape', [['f32', [2, 3]]], { shape: [4, -1] }, ShapeError, /cannot reshape/);
    expectFailure('reshape', [['f32', [2, 3]]], { shape: [-2, 3] }, ShapeError, /invalid dim/);
    expectFailure('reshape', [['f32', [0, 3]]], { shape: [0, -1] }, ShapeError, /cannot reshape/);
    expectFailure('reshape', [['f32', ['N', 3]]], { shape: ['M', -1] }, ShapeError, /symbolic/);
  });

  it('does not mistake -1 for the symbol when static dims do not cancel', () => {
    // [N,3] → [-1] is N·3 elements, not N; [N,6] → [-1,3] is 2N rows.
    expect(shapeOf('reshape', [['f32', ['N', 3]]], { shape: [-1] })).toEqual(['3*N']);
    expect(shapeOf('reshape', [['f32', ['N', 6]]], { shape: [-1, 3] })).toEqual(['2*N', 3]);
    expect(shapeOf('reshape', [['f32', ['B', 'S', 8]]], { shape: [-1, 8] })).toEqual(['B*S', 8]);
    expectFailure('reshape', [['f32', ['N', 3]]], { shape: [-1, 2] }, ShapeError, /cannot infer -1/);
  });
});

describe('transpose, concat, gather inference', () => {
  it('transpose permutes and defaults to reversal', () => {
    expect(shapeOf('transpose', [['f32', [2, 3, 5]]], { perm: [1, 2, 0] })).toEqual([3, 5, 2]);
    expect(shapeOf('transpose', [['f32', ['N', 3, 5]]], {})).toEqual([5, 3, 'N']);
    expect(shapeOf('transpose', [['f32', []]], {})).toEqual([]);
  });

  it('transpose rejects anything that is not a permutation of the rank', () => {
    expectFailure('transpose', [['f32', [2, 3]]], { perm: [0, 0] }, ShapeError, /perm \[0,0\] is not a permutation of rank 2/);
    expectFailure('transpose', [['f32', [2, 3]]], { perm: [0, 1, 2] }, ShapeError, /not a permutation/);
    expectFailure('transpose', [['f32', [2, 3]]], { perm: [1, 2] }, ShapeError, /not a permutation/);
    expectFailure('transpose', [['f32', [2, 3]]], { perm: [-1, 0] }, ShapeError, /not a permutation/);
  });

  it('concat sums the axis and checks the rest', () => {
    expect(shapeOf('concat', [['f32', [2, 3]], ['f32', [2, 5]]], { axis: -1 })).toEqual([2, 8]);
    expect(shapeOf('concat', [['i32', [0, 3]], ['i32', [4, 3]]], { axis: 0 })).toEqual([4, 3]);
    expectFailure('concat', [['f32', [2, 3]], ['f32', [3, 3]]], { axis: 1 }, ShapeError, /input 1 \[3,3\].*off axis 1/);
    expectFailure('concat', [['f32', [2, 3]], ['f32', [2]]], { axis: 0 }, ShapeError, /input 1 has rank 1/);
    expectFailure('concat', [['f32', [2, 3]], ['i32', [2, 3]]], { axis: 0 }, DTypeError, /input 1 has dtype i32/);
    expectFailure('concat', [['f32', [2, 3]]], { axis: 2 }, ShapeError, /axis 2 is out of range/);
    expectFailure('concat', [['f32', []], ['f32', []]], { axis: 0 }, ShapeError, /scalars/);
  });

  it('gather splices the index shape in place of the axis', () => {
    expect(shapeOf('gather', [['f32', [5, 3, 7]], ['i32', [2, 4]]], { axis: 1 })).toEqual([5, 2, 4, 7]);
    expect(shapeOf('gather', [['f32', [5, 3]], ['i32', []]], { axis: -2 })).toEqual([3]);
    expectFailure('gather', [['f32', [5, 3]], ['f32', [2]]], { axis: 0 }, DTypeError, /indices have dtype f32/);
    expectFailure('gather', [['f32', [5, 3]], ['i32', [2]]], { axis: 2 }, ShapeError, /axis 2/);
    expectFailure('gather', [['f32', []], ['i32', [2]]], { axis: 0 }, ShapeError, /scalar/);
  });
});

describe('slice inference clamps like numpy', () => {
  const sliced = (shape: Shape, attrs: Attrs) => shapeOf('slice', [['f32', shape]], attrs);

  it('clamps starts and ends into the dim, for both step signs', () => {
    expect(sliced([10], { starts: [-100], ends: [100] })).toEqual([10]);
    expect(sliced([10], { starts: [20], ends: [30] })).toEqual([0]);
    expect(sliced([10], { starts: [3], ends: [-3] })).toEqual([4]);
    expect(sliced([10], { starts: [100], ends: [-100], steps: [-1] })).toEqual([10]);
    expect(sliced([10], { starts: [-1], ends: [-(2 ** 31)], steps: [-3] })).toEqual([4]);
    expect(sliced([10], { starts: [2], ends: [8], steps: [-1] })).toEqual([0]);
    expect(sliced([4, 10, 6], { starts: [1, 0], ends: [2 ** 31 - 1, 5], axes: [-1, 0], steps: [2, 2] })).toEqual([2, 10, 3]);
  });

  it('sliceAxis gives the first element read, matching the hand-computed start', () => {
    expect(sliceAxis(10, -1, -(2 ** 31), -3, 'w')).toEqual({ start: 9, step: -3, size: 4 });
    expect(sliceAxis(10, 100, 0, -2, 'w')).toEqual({ start: 9, step: -2, size: 5 });
    expect(sliceAxis(10, -100, 5, 2, 'w')).toEqual({ start: 0, step: 2, size: 3 });
  });

  it('rejects zero steps, repeated axes, mismatched lists and symbolic dims', () => {
    expectFailure('slice', [['f32', [10]]], { starts: [0], ends: [5], steps: [0] }, ShapeError, /step must be a non-zero integer/);
    expectFailure('slice', [['f32', [10, 4]]], { starts: [0, 0], ends: [5, 5], axes: [1, -1] }, ShapeError, /sliced twice/);
    expectFailure('slice', [['f32', [10]]], { starts: [0], ends: [5, 6] }, ShapeError, /same length/);
    expectFailure('slice', [['f32', [10]]], { starts: [0], ends: [5], axes: [1] }, ShapeError, /axis 1 is out of range/);
  });

  it('slices symbolic dims into expressions', () => {
    expect(shapeOf('slice', [['f32', ['N', 4]]], { starts: [1], ends: [2 ** 40] })).toEqual(['N-1', 4]);
    expect(shapeOf('slice', [['f32', ['N']]], { starts: [0], ends: [-1] })).toEqual(['N-1']);
    expect(shapeOf('slice', [['f32', ['N']]], { starts: [0], ends: [5] })).toEqual(['min(5,N)']);
    expect(shapeOf('slice', [['f32', ['S']]], { starts: [-(2 ** 40)], ends: [2 ** 40], steps: [2] })).toEqual(['floor((S+1)/2)']);
  });
});

describe('expand, squeeze, unsqueeze, pad, tile, range, fill inference', () => {
  it('computes shapes', () => {
    expect(shapeOf('expand', [['f32', [3, 1]]], { shape: [2, 1, 5] })).toEqual([2, 3, 5]);
    expect(shapeOf('squeeze', [['f32', [1, 3, 1]]], {})).toEqual([3]);
    expect(shapeOf('squeeze', [['f32', [1, 3, 1]]], { axes: [-1] })).toEqual([1, 3]);
    expect(shapeOf('unsqueeze', [['f32', [3, 5]]], { axes: [0, -1] })).toEqual([1, 3, 5, 1]);
    expect(shapeOf('pad', [['f32', [3, 5]]], { pads: [1, -2, 2, 0] })).toEqual([6, 3]);
    expect(shapeOf('pad', [['f32', ['N', 5]]], { pads: [0, 1, 0, 1], mode: 'wrap' })).toEqual(['N', 7]);
    expect(shapeOf('tile', [['f32', [3, 'N']]], { repeats: [2, 1] })).toEqual([6, 'N']);
    expect(shapeOf('range', [], { start: 5, limit: -7, delta: -3 })).toEqual([4]);
    expect(shapeOf('range', [], { start: 0, limit: 0.3, delta: 0.1, dtype: 'f32' })).toEqual([3]);
    expect(shapeOf('range', [], { start: 3, limit: 0 })).toEqual([0]);
    expect(shapeOf('fill', [], { shape: [2, 0, 3] })).toEqual([2, 0, 3]);
  });

  it('rejects contradictions, naming the node', () => {
    expectFailure('expand', [['f32', [3, 2]]], { shape: [3, 4] }, ShapeError, /do not broadcast/);
    expectFailure('squeeze', [['f32', [1, 3]]], { axes: [1] }, ShapeError, /cannot squeeze axis 1 of size 3/);
    expectFailure('unsqueeze', [['f32', [3]]], { axes: [1, -2] }, ShapeError, /repeated axis/);
    expectFailure('unsqueeze', [['f32', [3]]], { axes: [2] }, ShapeError, /axis 2 is out of range/);
    expectFailure('pad', [['f32', [3, 5]]], { pads: [1, 1] }, ShapeError, /pads has 2 entries, expected 4/);
    expectFailure('pad', [['f32', [3]]], { pads: [1, 1], mode: 'mirror' }, ShapeError, /unknown pad mode 'mirror'/);
    expectFailure('pad', [['f32', [3]]], { pads: [-2, -2] }, ShapeError, /negative/);
    expect(shapeOf('pad', [['f32', ['N']]], { pads: [1, 2] })).toEqual(['N+3']);
    expectFailure('tile', [['f32', [3, 2]]], { repeats: [2] }, ShapeError, /repeats has 1 entries for rank 2/);
    expectFailure('tile', [['f32', [3]]], { repeats: [-1] }, ShapeError, /negative/);
    expectFailure('range', [], { start: 0, limit: 5, delta: 0 }, ShapeError, /delta must not be 0/);
    expectFailure('fill', [], { shape: [2, -1] }, ShapeError, /invalid shape/);
    expectFailure('fill', [], { shape: [2], dtype: 'f64' }, DTypeError, /attribute 'dtype' must be dtype, got "f64"/);
  });
});
