import { describe, expect, it } from 'vitest';
import { tensor, int64s } from './helpers/onnx_builder.js';
import { f32, iota, runNode } from './helpers/run_reference.js';

/**
 * Ops whose attributes moved to inputs (or changed meaning) between opsets: each version is
 * imported and run on the reference interpreter, against values worked out by hand.
 */

const x24 = f32([2, 4], iota(8)); // [[0,1,2,3],[4,5,6,7]]

describe('Slice', () => {
  it('opset 9 reads starts/ends/axes attributes', () => {
    expect(runNode(9, 'Slice', x24, { starts: [1], ends: [3], axes: [1] })).toMatchObject({ shape: [2, 2], values: [1, 2, 5, 6] });
  });
  it('opset 13 reads inputs, with negative steps and out-of-range ends', () => {
    const r = runNode(13, 'Slice', x24, {}, { inputs: ['s', 'e', 'a', 'p'], initializers: [int64s('s', [3]), int64s('e', [-1000]), int64s('a', [1]), int64s('p', [-2])] });
    expect(r).toMatchObject({ shape: [2, 2], values: [3, 1, 7, 5] });
  });
});

describe('Pad', () => {
  const row = f32([1, 3], [0, 1, 2]);
  it('opset 2 reads pads and value attributes', () => {
    expect(runNode(2, 'Pad', row, { pads: [0, 1, 0, 1], value: { float: 9 } })).toMatchObject({ shape: [1, 5], values: [9, 0, 1, 2, 9] });
  });
  it('opset 11 reads pads from an input; reflect mode', () => {
    expect(runNode(11, 'Pad', row, { mode: 'reflect' }, { inputs: ['p'], initializers: [int64s('p', [0, 2, 0, 0])] })).toMatchObject({ values: [2, 1, 0, 1, 2] });
  });
  it('opset 18 pads only the listed axes; edge mode', () => {
    const r = runNode(18, 'Pad', row, { mode: 'edge' }, { inputs: ['p', '', 'a'], initializers: [int64s('p', [2, 1]), int64s('a', [-1])] });
    expect(r).toMatchObject({ shape: [1, 6], values: [0, 0, 0, 1, 2, 2] });
  });
  it('opset 11 constant_value input', () => {
    const r = runNode(11, 'Pad', row, {}, { inputs: ['p', 'v'], initializers: [int64s('p', [1, 0, 0, 0]), tensor('v', [], [-1])] });
    expect(r).toMatchObject({ shape: [2, 3], values: [-1, -1, -1, 0, 1, 2] });
  });
});

describe('Clip', () => {
  const v = f32([3], [-2, 0.5, 3]);
  it('opset 6 reads min/max attributes', () => {
    expect(runNode(6, 'Clip', v, { min: { float: -1 }, max: { float: 1 } }).values).toEqual([-1, 0.5, 1]);
  });
  it('opset 11 reads optional inputs; an omitted min is unbounded', () => {
    expect(runNode(11, 'Clip', v, {}, { inputs: ['', 'hi'], initializers: [tensor('hi', [], [1])] }).values).toEqual([-2, 0.5, 1]);
    expect(runNode(11, 'Clip', v).values).toEqual([-2, 0.5, 3]);
  });
});

describe('reductions', () => {
  const m = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  it('ReduceSum: axes attribute before 13, input from 13', () => {
    expect(runNode(11, 'ReduceSum', m, { axes: [1], keepdims: 0 })).toMatchObject({ shape: [2], values: [6, 15] });
    expect(runNode(13, 'ReduceSum', m, {}, { inputs: ['a'], initializers: [int64s('a', [0])] })).toMatchObject({ shape: [1, 3], values: [5, 7, 9] });
    expect(runNode(13, 'ReduceSum', m, { keepdims: 0 })).toMatchObject({ shape: [], values: [21] });
    expect(runNode(13, 'ReduceSum', m, { noop_with_empty_axes: 1 })).toMatchObject({ shape: [2, 3], values: [1, 2, 3, 4, 5, 6] });
  });
  it('ReduceMean and the composed reductions: axes attribute through 17, input from 18', () => {
    expect(runNode(17, 'ReduceMean', m, { axes: [-1] })).toMatchObject({ shape: [2, 1], values: [2, 5] });
    expect(runNode(18, 'ReduceMean', m, {}, { inputs: ['a'], initializers: [int64s('a', [1])] })).toMatchObject({ shape: [2, 1], values: [2, 5] });
    expect(runNode(13, 'ReduceL2', m, { axes: [1], keepdims: 0 }).values[0]).toBeCloseTo(Math.sqrt(14), 5);
    expect(runNode(18, 'ReduceSumSquare', m, { keepdims: 0 }, { inputs: ['a'], initializers: [int64s('a', [0])] }).values).toEqual([17, 29, 45]);
    const lse = runNode(13, 'ReduceLogSumExp', f32([2], [1000, 1000]), { keepdims: 0 });
    expect(lse.values[0]).toBeCloseTo(1000 + Math.log(2), 3);
  });
});

describe('Split, Squeeze, Unsqueeze', () => {
  const v = f32([7], iota(7));
  it('Split: attribute (11), input (13), num_outputs with a smaller last part (18)', () => {
    const a = runNode(11, 'Split', v, { split: [2, 5] }, { outputs: ['a', 'b'] }).all;
    expect(Array.from(a.b.data)).toEqual([2, 3, 4, 5, 6]);
    const b = runNode(13, 'Split', v, {}, { inputs: ['s'], initializers: [int64s('s', [4, 3])], outputs: ['a', 'b'] }).all;
    expect(Array.from(b.a.data)).toEqual([0, 1, 2, 3]);
    const c = runNode(18, 'Split', v, { num_outputs: 3 }, { outputs: ['a', 'b', 'c'] }).all;
    expect([c.a, c.b, c.c].map((t) => Array.from(t.data))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });
  it('Squeeze/Unsqueeze: axes attribute (11), input (13)', () => {
    const s = f32([1, 3, 1], [1, 2, 3]);
    expect(runNode(11, 'Squeeze', s, { axes: [0] }).shape).toEqual([3, 1]);
    expect(runNode(13, 'Squeeze', s, {}, { inputs: ['a'], initializers: [int64s('a', [-1])] }).shape).toEqual([1, 3]);
    expect(runNode(13, 'Squeeze', s).shape).toEqual([3]);
    expect(runNode(11, 'Unsqueeze', v, { axes: [0, 2] }).shape).toEqual([1, 7, 1]);
    expect(runNode(13, 'Unsqueeze', v, {}, { inputs: ['a'], initializers: [int64s('a', [-1])] }).shape).toEqual([7, 1]);
  });
});

describe('Softmax', () => {
  const x = f32([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
  const softmax = (xs: number[]) => {
    const e = xs.map((v) => Math.exp(v - Math.max(...xs)));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  it('before opset 13 normalizes jointly over all axes from `axis` (2-D coercion)', () => {
    const r = runNode(11, 'Softmax', x, { axis: 1 });
    const want = [...softmax([0, 1, 2, 3]), ...softmax([4, 5, 6, 7])];
    r.values.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });
  it('from opset 13 normalizes along the one axis', () => {
    const r = runNode(13, 'Softmax', x, { axis: 1 });
    const pairs = [[0, 2], [1, 3], [4, 6], [5, 7]];
    const want = new Array<number>(8);
    for (const [a, b] of pairs) [want[a], want[b]] = softmax([a, b]);
    r.values.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });
  it('Hardmax before 13 picks one maximum over the flattened trailing axes', () => {
    expect(runNode(11, 'Hardmax', x, { axis: 1 }).values).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    expect(runNode(13, 'Hardmax', x, { axis: 1 }).values).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
  });
});

describe('Upsample and Resize', () => {
  const img = f32([1, 1, 1, 3], [1, 2, 3]);
  it('Upsample (attribute scales at 7, input at 9) and Resize-10 index floor(out / scale)', () => {
    const want = [1, 1, 1, 2, 2, 2, 3, 3, 3];
    expect(runNode(7, 'Upsample', img, { scales: { floats: [1, 1, 1, 3] } }).values).toEqual(want);
    expect(runNode(9, 'Upsample', img, {}, { inputs: ['s'], initializers: [tensor('s', [4], [1, 1, 1, 3])] }).values).toEqual(want);
    expect(runNode(10, 'Resize', img, {}, { inputs: ['s'], initializers: [tensor('s', [4], [1, 1, 1, 3])] }).values).toEqual(want);
  });
  it('Resize-13 with sizes and align_corners linear interpolation', () => {
    const r = runNode(13, 'Resize', img, { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, { inputs: ['', '', 'sz'], initializers: [int64s('sz', [1, 1, 1, 5])] });
    expect(r.values).toEqual([1, 1.5, 2, 2.5, 3]);
  });
});

describe('other version differences', () => {
  it('Flatten takes negative axes (from the end) since opset 11', () => {
    const x = f32([2, 3, 4], iota(24));
    expect(runNode(13, 'Flatten', x, { axis: -1 }).shape).toEqual([6, 4]);
    expect(runNode(13, 'Flatten', x, { axis: 0 }).shape).toEqual([1, 24]);
    expect(runNode(9, 'Flatten', x).shape).toEqual([2, 12]);
  });
  it('Reshape: 0 copies the input dim unless allowzero=1 (opset 14)', () => {
    const x = f32([2, 3], iota(6));
    expect(runNode(13, 'Reshape', x, {}, { inputs: ['s'], initializers: [int64s('s', [0, -1])] }).shape).toEqual([2, 3]);
    expect(runNode(14, 'Reshape', x, { allowzero: 0 }, { inputs: ['s'], initializers: [int64s('s', [-1, 0])] }).shape).toEqual([2, 3]);
    expect(() => runNode(14, 'Reshape', x, { allowzero: 1 }, { inputs: ['s'], initializers: [int64s('s', [-1, 0])] })).toThrow(/reshape/);
  });
  it('Add before opset 7 broadcasts B from `axis` when broadcast=1', () => {
    const x = f32([2, 3, 2], iota(12));
    const r = runNode(6, 'Add', x, { broadcast: 1, axis: 1 }, { inputs: ['b'], initializers: [tensor('b', [3], [100, 200, 300])] });
    expect(r.values).toEqual([100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311]);
  });
  it('TopK: k attribute at opset 1, K input from 10, largest from 11', () => {
    const v = f32([5], [3, 9, 1, 7, 5]);
    expect(runNode(1, 'TopK', v, { k: 2 }, { outputs: ['y', 'i'] }).values).toEqual([9, 7]);
    const r = runNode(11, 'TopK', v, { largest: 0 }, { inputs: ['k'], initializers: [int64s('k', [3])], outputs: ['y', 'i'] });
    expect(r.values).toEqual([1, 3, 5]);
    expect(Array.from(r.all.i.data)).toEqual([2, 0, 4]);
  });
  it('Dropout at inference is the identity with an all-true mask', () => {
    const v = f32([3], [1, -2, 3]);
    const r = runNode(13, 'Dropout', v, {}, { inputs: ['ratio'], initializers: [tensor('ratio', [], [0.5])], outputs: ['y', 'mask'] });
    expect(r.values).toEqual([1, -2, 3]);
    expect(r.all.mask.dtype).toBe('bool');
    expect(Array.from(r.all.mask.data)).toEqual([1, 1, 1]);
  });
});
