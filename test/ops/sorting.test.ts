import { describe, expect, it } from 'vitest';
import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder, hostTensor, ShapeError } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

type Attrs = Record<string, number | boolean>;

function graphOf(op: string, x: HostTensor, attrs: Attrs): GraphBuilder {
  const b = new GraphBuilder();
  b.apply(op, [b.input('x', x.dtype, x.shape)], attrs, 'node').forEach((v, i) => b.output(v, `out${i}`));
  return b;
}

function reference(op: string, x: HostTensor, attrs: Attrs = {}): HostTensor[] {
  return interpret(graphOf(op, x, attrs).graph, { x }).outputList;
}

const f32 = (shape: StaticShape, v: number[]) => hostTensor('f32', shape, v);

function expectValues(t: HostTensor, dtype: DType, shape: StaticShape, values: readonly number[]): void {
  expectClose(t, hostTensor(dtype, shape, values), { rtol: 0, atol: 0 });
}

describe('reference against the ONNX operator docs', () => {
  it('topK largest and smallest, along either axis', () => {
    const [v, i] = reference('topK', f32([3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), { k: 3 });
    expectValues(v, 'f32', [3, 3], [3, 2, 1, 7, 6, 5, 11, 10, 9]);
    expectValues(i, 'i32', [3, 3], [3, 2, 1, 3, 2, 1, 3, 2, 1]);
    const [vs, is] = reference('topK', f32([3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 9, 8]), { k: 3, largest: false });
    expectValues(vs, 'f32', [3, 3], [0, 1, 2, 4, 5, 6, 8, 9, 10]);
    expectValues(is, 'i32', [3, 3], [0, 1, 2, 0, 1, 2, 3, 2, 1]);
    const [v0, i0] = reference('topK', f32([3, 2], [5, 1, 9, 0, 7, 2]), { k: 2, axis: 0 });
    expectValues(v0, 'f32', [2, 2], [9, 2, 7, 1]);
    expectValues(i0, 'i32', [2, 2], [1, 2, 2, 0]);
  });

  it('topK ties keep the lower index first; NaN ranks above every number', () => {
    const [v, i] = reference('topK', f32([6], [1, 3, 3, 2, 3, 1]), { k: 4 });
    expectValues(v, 'f32', [4], [3, 3, 3, 2]);
    expectValues(i, 'i32', [4], [1, 2, 4, 3]);
    const [vs, is] = reference('topK', hostTensor('i32', [6], [1, 3, 3, 2, 3, 1]), { k: 3, largest: false });
    expectValues(vs, 'i32', [3], [1, 1, 2]);
    expectValues(is, 'i32', [3], [0, 5, 3]);
    const [vn, iN] = reference('topK', f32([4], [1, NaN, 3, -Infinity]), { k: 3 });
    expectValues(vn, 'f32', [3], [NaN, 3, 1]);
    expectValues(iN, 'i32', [3], [1, 2, 0]);
    const [, last] = reference('topK', f32([4], [1, NaN, 3, -Infinity]), { k: 4, largest: false });
    expectValues(last, 'i32', [4], [3, 0, 2, 1]);
  });

  it('topK rejects k larger than the axis', () => {
    expect(() => reference('topK', f32([3], [1, 2, 3]), { k: 4 })).toThrow(ShapeError);
  });

  it('hardmax marks the first maximum', () => {
    const x = f32([4, 4], [3, 0, 1, 2, 2, 5, 1, 0, 0, 1, 3, 2, 0, 1, 2, 3]);
    expectValues(reference('hardmax', x)[0], 'f32', [4, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expectValues(reference('hardmax', f32([2, 4], [1, 1, 1, 1, 0, 2, 2, 0]))[0], 'f32', [2, 4], [1, 0, 0, 0, 0, 1, 0, 0]);
    expectValues(reference('hardmax', x, { axis: 0 })[0], 'f32', [4, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });
});

/** Values on a coarse grid, so equal values (ties) are common. */
function coarse(dtype: DType, shape: StaticShape, seed: number): HostTensor {
  const t = randomTensor(dtype, shape, seed, -4, 4);
  if (dtype === 'f32') for (let i = 0; i < t.data.length; i++) t.data[i] = Math.round(t.data[i] * 2) / 2;
  return t;
}

describe('GPU vs reference on random shapes', () => {
  it('topK and hardmax', async () => {
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {};
    const add = (op: string, x: HostTensor, attrs: Attrs) => {
      const id = Object.keys(inputs).length;
      inputs[`x${id}`] = x;
      b.apply(op, [b.input(`x${id}`, x.dtype, x.shape)], attrs, `${op}_${id}`).forEach((v, i) => b.output(v, `${op}_${id}_${i}`));
    };
    const cases: [StaticShape, number, number, DType][] = [
      [[3, 17], -1, 5, 'f32'],
      [[17, 3], 0, 17, 'f32'],
      [[2, 5, 4], 1, 1, 'i32'],
      [[1025], 0, 7, 'f32'],
      [[1, 3], 1, 3, 'u32'],
      [[4, 1], 1, 1, 'f32'],
      [[2, 3, 33], -1, 33, 'f32'],
      [[5, 17], 1, 6, 'i32'],
    ];
    cases.forEach(([shape, axis, k, dtype], n) => {
      // Each kernel costs a shader compile (seconds on lavapipe): alternate largest/smallest.
      const x = dtype === 'u32' ? randomTensor('u32', shape, n, 0, 3) : coarse(dtype, shape, n);
      add('topK', x, { k, axis, largest: n % 2 === 0 });
    });
    const nan = coarse('f32', [4, 9], 99);
    nan.data[3] = NaN;
    nan.data[20] = NaN;
    nan.data[22] = NaN;
    add('topK', nan, { k: 4 });
    add('topK', nan, { k: 9, largest: false });
    add('hardmax', nan, {});
    add('hardmax', coarse('f32', [3, 17, 2], 7), { axis: 1 });
    add('hardmax', coarse('f32', [1025], 8), { axis: 0 });
    add('hardmax', coarse('f32', [5, 1], 9), {});
    const expected = interpret(b.graph, inputs).outputs;
    const actual = await runOnGpu(b.graph, inputs);
    for (const name of Object.keys(expected)) expectClose(actual[name], expected[name], { rtol: 0, atol: 0 }, name);
  });
});
