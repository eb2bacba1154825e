import { describe, expect, it } from 'vitest';
import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder, hostTensor, InputError, numel } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor, rng } from '../helpers/random.js';

/** Runs one op on the reference interpreter with constant-free inputs; returns its outputs. */
function reference(op: string, inputs: HostTensor[], attrs: Record<string, number | boolean | string> = {}): HostTensor[] {
  const b = new GraphBuilder();
  const values = inputs.map((t, i) => b.input(`in${i}`, t.dtype, t.shape));
  b.apply(op, values, attrs, 'node').forEach((v, i) => b.output(v, `out${i}`));
  const feeds = Object.fromEntries(inputs.map((t, i) => [`in${i}`, t]));
  return interpret(b.graph, feeds).outputList;
}

function expectTensor(actual: HostTensor, dtype: DType, shape: StaticShape, values: readonly number[]): void {
  expectClose(actual, hostTensor(dtype, shape, values), { rtol: 1e-6, atol: 1e-6 });
}

const f32 = (shape: StaticShape, v: number[]) => hostTensor('f32', shape, v);
const i32 = (shape: StaticShape, v: number[]) => hostTensor('i32', shape, v);

/** Random indices in [-dim, dim): both signs, so wrapping is always exercised. */
function randomIndices(shape: StaticShape, dim: number, seed: number): HostTensor {
  return randomTensor('i32', shape, seed, -dim, dim - 1);
}

/** A graph of many outputs, checked GPU vs reference in one compile and run. */
class Batch {
  readonly b = new GraphBuilder();
  readonly inputs: Record<string, HostTensor> = {};
  #n = 0;

  add(op: string, tensors: HostTensor[], attrs: Record<string, number | boolean | string> = {}): void {
    const id = this.#n++;
    const values = tensors.map((t, i) => {
      this.inputs[`x${id}_${i}`] = t;
      return this.b.input(`x${id}_${i}`, t.dtype, t.shape);
    });
    this.b.apply(op, values, attrs, `${op}_${id}`).forEach((v, i) => this.b.output(v, `${op}_${id}_${i}`));
  }

  async check(tol = { rtol: 1e-5, atol: 1e-5 }): Promise<void> {
    const expected = interpret(this.b.graph, this.inputs).outputs;
    const actual = await runOnGpu(this.b.graph, this.inputs);
    for (const name of Object.keys(expected)) expectClose(actual[name], expected[name], tol, name);
  }
}

describe('reference against the ONNX operator docs', () => {
  it('gatherElements', () => {
    expectTensor(reference('gatherElements', [f32([2, 2], [1, 2, 3, 4]), i32([2, 2], [0, 0, 1, 0])], { axis: 1 })[0], 'f32', [2, 2], [1, 1, 4, 3]);
    const data = f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectTensor(reference('gatherElements', [data, i32([2, 3], [1, 2, 0, 2, 0, 0])], { axis: 0 })[0], 'f32', [2, 3], [4, 8, 3, 7, 2, 3]);
    expectTensor(reference('gatherElements', [data, i32([2, 3], [-1, -2, 0, -2, 0, 0])], { axis: 0 })[0], 'f32', [2, 3], [7, 5, 3, 4, 2, 3]);
  });

  it('gatherND, with and without batch dims', () => {
    const d2 = i32([2, 2], [0, 1, 2, 3]);
    const d3 = i32([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    expectTensor(reference('gatherND', [d2, i32([2, 2], [0, 0, 1, 1])])[0], 'i32', [2], [0, 3]);
    expectTensor(reference('gatherND', [d2, i32([2, 1], [1, 0])])[0], 'i32', [2, 2], [2, 3, 0, 1]);
    expectTensor(reference('gatherND', [d3, i32([2, 2], [0, 1, 1, 0])])[0], 'i32', [2, 2], [2, 3, 4, 5]);
    expectTensor(reference('gatherND', [d3, i32([2, 1, 2], [0, 1, 1, 0])])[0], 'i32', [2, 1, 2], [2, 3, 4, 5]);
    expectTensor(reference('gatherND', [d3, i32([2, 1], [1, 0])], { batchDims: 1 })[0], 'i32', [2, 2], [2, 3, 4, 5]);
    expectTensor(reference('gatherND', [d3, i32([2, 1], [-1, 0])], { batchDims: 1 })[0], 'i32', [2, 2], [2, 3, 4, 5]);
  });

  it('scatterElements, including duplicates under add and negative indices', () => {
    const zeros = f32([3, 3], new Array(9).fill(0));
    const out = reference('scatterElements', [zeros, i32([2, 3], [1, 0, 2, 0, 2, 1]), f32([2, 3], [1, 1.1, 1.2, 2, 2.1, 2.2])], { axis: 0 })[0];
    expectTensor(out, 'f32', [3, 3], [2, 1.1, 0, 1, 0, 2.2, 0, 2.1, 1.2]);
    const row = f32([1, 5], [1, 2, 3, 4, 5]);
    expectTensor(reference('scatterElements', [row, i32([1, 2], [1, 3]), f32([1, 2], [1.1, 2.1])], { axis: 1 })[0], 'f32', [1, 5], [1, 1.1, 3, 2.1, 5]);
    expectTensor(reference('scatterElements', [row, i32([1, 2], [1, -3]), f32([1, 2], [1.1, 2.1])], { axis: 1 })[0], 'f32', [1, 5], [1, 1.1, 2.1, 4, 5]);
    const dup = [row, i32([1, 2], [1, 1]), f32([1, 2], [1.1, 2.1])];
    expectTensor(reference('scatterElements', dup, { axis: 1, reduction: 'add' })[0], 'f32', [1, 5], [1, 5.2, 3, 4, 5]);
    expectTensor(reference('scatterElements', dup, { axis: 1, reduction: 'mul' })[0], 'f32', [1, 5], [1, 2 * 1.1 * 2.1, 3, 4, 5]);
    expectTensor(reference('scatterElements', dup, { axis: 1, reduction: 'max' })[0], 'f32', [1, 5], [1, 2.1, 3, 4, 5]);
    expectTensor(reference('scatterElements', dup, { axis: 1, reduction: 'min' })[0], 'f32', [1, 5], [1, 1.1, 3, 4, 5]);
    expectTensor(reference('scatterElements', dup, { axis: 1 })[0], 'f32', [1, 5], [1, 2.1, 3, 4, 5]);
  });

  it('scatterND: elements, slices, and every reduction', () => {
    const out = reference('scatterND', [i32([8], [1, 2, 3, 4, 5, 6, 7, 8]), i32([4, 1], [4, 3, 1, 7]), i32([4], [9, 10, 11, 12])])[0];
    expectTensor(out, 'i32', [8], [1, 11, 3, 10, 9, 6, 7, 12]);
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1];
    const c = [8, 7, 6, 5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8];
    const data = i32([4, 4, 4], [...a, ...a, ...c, ...c]);
    const u0 = [5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8];
    const u1 = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
    const updates = i32([2, 4, 4], [...u0, ...u1]);
    expectTensor(reference('scatterND', [data, i32([2, 1], [0, 2]), updates])[0], 'i32', [4, 4, 4], [...u0, ...a, ...u1, ...c]);
    expectTensor(reference('scatterND', [data, i32([2, 1], [0, -2]), updates])[0], 'i32', [4, 4, 4], [...u0, ...a, ...u1, ...c]);
    const twice = i32([2, 1], [0, 0]);
    const each = (f: (x: number, p: number, q: number) => number) => [...a.map((x, i) => f(x, u0[i], u1[i])), ...a, ...c, ...c];
    expectTensor(reference('scatterND', [data, twice, updates], { reduction: 'add' })[0], 'i32', [4, 4, 4], each((x, p, q) => x + p + q));
    expectTensor(reference('scatterND', [data, twice, updates], { reduction: 'mul' })[0], 'i32', [4, 4, 4], each((x, p, q) => x * p * q));
    expectTensor(reference('scatterND', [data, twice, updates], { reduction: 'max' })[0], 'i32', [4, 4, 4], each((x, p, q) => Math.max(x, p, q)));
    expectTensor(reference('scatterND', [data, twice, updates], { reduction: 'min' })[0], 'i32', [4, 4, 4], each((x, p, q) => Math.min(x, p, q)));
    expectTensor(reference('scatterND', [data, twice, updates])[0], 'i32', [4, 4, 4], [...u1, ...a, ...c, ...c]);
  });

  it('oneHot wraps negative indices and leaves out-of-range ones all off', () => {
    const idx = i32([5], [0, -1, 2, 3, -4]);
    const attrs = { depth: 3, onValue: 3, offValue: 1 };
    expectTensor(reference('oneHot', [idx], attrs)[0], 'f32', [5, 3], [3, 1, 1, 1, 1, 3, 1, 1, 3, 1, 1, 1, 1, 1, 1]);
    expectTensor(reference('oneHot', [idx], { ...attrs, axis: 0, dtype: 'i32' })[0], 'i32', [3, 5], [3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1, 1]);
    // ONNX test_onehot_with_axis: indices [[1,9],[2,4]], depth 10, values [1,3], axis 1.
    const out = reference('oneHot', [i32([2, 2], [1, 9, 2, 4])], { depth: 10, axis: 1, onValue: 3, offValue: 1 })[0];
    const want = new Array(40).fill(1);
    for (const [b, j, hot] of [[0, 0, 1], [0, 1, 9], [1, 0, 2], [1, 1, 4]]) want[b * 20 + hot * 2 + j] = 3;
    expectTensor(out, 'f32', [2, 10, 2], want);
  });

  it('trilu', () => {
    const x = i32([4, 5], [4, 7, 3, 7, 9, 1, 2, 8, 6, 9, 9, 4, 1, 8, 7, 4, 3, 4, 2, 4]);
    expectTensor(reference('trilu', [x])[0], 'i32', [4, 5], [4, 7, 3, 7, 9, 0, 2, 8, 6, 9, 0, 0, 1, 8, 7, 0, 0, 0, 2, 4]);
    expectTensor(reference('trilu', [x], { upper: false })[0], 'i32', [4, 5], [4, 0, 0, 0, 0, 1, 2, 0, 0, 0, 9, 4, 1, 0, 0, 4, 3, 4, 2, 0]);
    expectTensor(reference('trilu', [x], { k: 1 })[0], 'i32', [4, 5], [0, 7, 3, 7, 9, 0, 0, 8, 6, 9, 0, 0, 0, 8, 7, 0, 0, 0, 0, 4]);
    expectTensor(reference('trilu', [x], { upper: false, k: -1 })[0], 'i32', [4, 5], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 9, 4, 0, 0, 0, 4, 3, 4, 0, 0]);
  });

  it('out-of-range indices throw InputError naming the node', () => {
    const data = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const cases: [string, HostTensor[], Record<string, number>][] = [
      ['gatherElements', [data, i32([1, 3], [0, 2, 3])], { axis: 1 }],
      ['gatherElements', [data, i32([1, 3], [0, -4, 0])], { axis: 1 }],
      ['gatherND', [data, i32([1, 2], [2, 0])], {}],
      ['scatterElements', [data, i32([1, 1], [-3]), f32([1, 1], [0])], { axis: 0 }],
      ['scatterND', [data, i32([1, 1], [5]), f32([1, 3], [0, 0, 0])], {}],
    ];
    for (const [op, inputs, attrs] of cases) {
      expect(() => reference(op, inputs, attrs), op).toThrow(InputError);
      expect(() => reference(op, inputs, attrs), op).toThrow(`${op} 'node'`);
    }
  });
});

/**
 * 'none' on every shape (its last-update-wins order is the subtle part) and each other
 * reduction on two: every kernel costs a shader compile, seconds on lavapipe.
 */
function reductionsFor(shapeIndex: number): string[] {
  const others = ['add', 'mul', 'max', 'min'];
  return ['none', others[shapeIndex % 4], others[(shapeIndex + 2) % 4]];
}

describe('GPU vs reference on random shapes', () => {
  it('gatherElements and gatherND', async () => {
    const batch = new Batch();
    const ge: [StaticShape, StaticShape, number][] = [
      [[3, 17, 5], [3, 4, 5], 1],
      [[1025], [1025], 0],
      [[2, 3], [2, 7], -1],
      [[4, 3], [1, 3], 0],
      [[1, 1], [1, 3], 1],
    ];
    ge.forEach(([ds, is, axis], k) => {
      const a = axis < 0 ? axis + ds.length : axis;
      batch.add('gatherElements', [randomTensor('f32', ds, 10 + k), randomIndices(is, ds[a], 20 + k)], { axis });
    });
    batch.add('gatherElements', [randomTensor('i32', [3, 5], 30, -100, 100), randomIndices([3, 5], 3, 31)], { axis: 0 });
    const gn: [StaticShape, StaticShape, number][] = [
      [[3, 4, 5], [2, 3, 2], 0],
      [[2, 3, 5], [2, 4, 1], 1],
      [[17], [5, 1], 0],
      [[3, 4, 5], [3, 3], 0],
      [[2, 3, 4, 3], [2, 3, 2, 1], 2],
    ];
    gn.forEach(([ds, is, batchDims], k) => {
      const m = is[is.length - 1];
      const indices = randomTensor('i32', is, 40 + k, 0, 0);
      // Each tuple entry ranges over its own data axis.
      const r = rng(50 + k);
      for (let p = 0; p < indices.data.length; p++) {
        const dim = ds[batchDims + (p % m)];
        indices.data[p] = Math.floor(r() * 2 * dim) - dim;
      }
      batch.add('gatherND', [randomTensor('f32', ds, 60 + k), indices], { batchDims });
    });
    await batch.check();
  });

  it('scatterElements with every reduction, duplicates included', async () => {
    const batch = new Batch();
    const shapes: [StaticShape, StaticShape, number][] = [
      [[4, 17], [3, 17], 0],
      [[3, 5], [2, 9], 1],
      [[1025], [40], 0],
      [[2, 3, 4], [2, 2, 4], -2],
    ];
    shapes.forEach(([ds, is, axis], k) => {
      for (const reduction of reductionsFor(k)) {
        const a = axis < 0 ? axis + ds.length : axis;
        const seed = 100 * k + reduction.length;
        batch.add('scatterElements', [randomTensor('f32', ds, seed), randomIndices(is, ds[a], seed + 1), randomTensor('f32', is, seed + 2)], { axis, reduction });
      }
    });
    for (const reduction of ['none', 'mul']) {
      batch.add('scatterElements', [randomTensor('i32', [3, 4], 7, -9, 9), randomIndices([6, 4], 3, 8), randomTensor('i32', [6, 4], 9, -9, 9)], { axis: 0, reduction });
    }
    await batch.check();
  });

  it('scatterND with every reduction, duplicates included', async () => {
    const batch = new Batch();
    const shapes: [StaticShape, StaticShape][] = [
      [[5, 3, 2], [7, 1]],
      [[5, 3, 2], [2, 2, 2]],
      [[4, 3, 5], [6, 3]],
      [[1025], [33, 1]],
    ];
    shapes.forEach(([ds, is], k) => {
      for (const reduction of reductionsFor(k)) {
        const kk = is[is.length - 1];
        const seed = 1000 * k + reduction.length;
        const indices = randomTensor('i32', is, seed, 0, 0);
        const r = rng(seed + 1);
        for (let p = 0; p < indices.data.length; p++) {
          const dim = ds[p % kk];
          indices.data[p] = Math.floor(r() * 2 * dim) - dim;
        }
        const us = [...is.slice(0, -1), ...ds.slice(kk)];
        batch.add('scatterND', [randomTensor('f32', ds, seed + 2), indices, randomTensor('f32', us, seed + 3)], { reduction });
      }
    });
    for (const reduction of ['none', 'mul']) {
      batch.add('scatterND', [randomTensor('i32', [6, 2], 3, -9, 9), randomIndices([9, 1], 6, 4), randomTensor('i32', [9, 2], 5, -9, 9)], { reduction });
    }
    await batch.check();
  });

  it('oneHot and trilu', async () => {
    const batch = new Batch();
    const oh: [StaticShape, number, number, DType][] = [
      [[17], 5, -1, 'f32'],
      [[3, 4], 7, 0, 'i32'],
      [[2, 3], 3, 1, 'f32'],
      [[1], 1, -1, 'bool'],
      [[1025], 3, 0, 'f32'],
    ];
    oh.forEach(([shape, depth, axis, dtype], k) => {
      // One past each end as well: those rows must come out all off.
      const indices = randomTensor('i32', shape, 200 + k, -depth - 1, depth);
      batch.add('oneHot', [indices], { depth, axis, dtype, onValue: 2.5, offValue: -1 });
    });
    const tr: [StaticShape, DType][] = [
      [[3, 5], 'f32'],
      [[2, 17, 3], 'i32'],
      [[1, 1], 'f32'],
      [[4, 4], 'bool'],
      [[2, 3, 33, 31], 'f32'],
    ];
    tr.forEach(([shape, dtype], k) => {
      for (const upper of [true, false]) {
        batch.add('trilu', [randomTensor(dtype, shape, 300 + k, -50, 50)], { upper, k: (k % 5) - 2 });
      }
    });
    await batch.check();
  });

  it('out-of-range indices are clamped on the GPU, never read or written out of bounds', async () => {
    const data = randomTensor('f32', [4, 6], 1);
    const wild = i32([4, 6], [0, 100, -100, 5, 6, -7, 2147483647, -2147483648, 3, 3, -1, 0, 9, 9, 9, 9, -9, -9, 1, 2, 3, 4, 5, 6]);
    const clamp = (v: number, dim: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim - 1);
    const tame = i32([4, 6], [...wild.data].map((v) => clamp(v, 6)));
    const b = new GraphBuilder();
    const d = b.input('data', 'f32', [4, 6]);
    const idx = b.input('idx', 'i32', [4, 6]);
    const upd = b.input('upd', 'f32', [4, 6]);
    b.output(b.op('gatherElements', [d, idx], { axis: 1 }), 'gather');
    b.output(b.op('scatterElements', [d, idx, upd], { axis: 1, reduction: 'add' }), 'scatter');
    const updates = randomTensor('f32', [4, 6], 2);
    const actual = await runOnGpu(b.graph, { data, idx: wild, upd: updates });
    const expected = interpret(b.graph, { data, idx: tame, upd: updates }).outputs;
    expectClose(actual.gather, expected.gather);
    expectClose(actual.scatter, expected.scatter);
    expect(numel(actual.gather.shape)).toBe(24);
  });
});
