import { describe, expect, it } from 'vitest';
import type { Attrs, DType, HostTensor, StaticShape, Value } from '../../ir/index.js';
import { GraphBuilder, hostTensor, inferOp, InputError, numel } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor, rng } from '../helpers/random.js';

/** Layout ops copy elements, so GPU and reference agree exactly, floats included. */
const EXACT = { rtol: 0, atol: 0 };

/**
 * Many small cases in one graph: each case is one node on its own random input and its own
 * output, and a single compile + run checks them all against the reference interpreter.
 */
class Cases {
  readonly b = new GraphBuilder('layout');
  readonly inputs: Record<string, HostTensor> = {};
  readonly labels: Record<string, string> = {};
  #count = 0;

  input(dtype: DType, shape: StaticShape, lo = -100, hi = 100): Value {
    const name = `x${this.#count++}`;
    this.inputs[name] = randomTensor(dtype, shape, 1000 + this.#count, lo, hi);
    return this.b.input(name, dtype, shape);
  }

  add(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value {
    const name = `y${this.#count++}`;
    const label = `${op}(${inputs.map((v) => `${v.type.dtype}[${v.type.shape.join(',')}]`).join(', ')}, ${JSON.stringify(attrs)})`;
    this.labels[name] = label;
    return this.b.output(this.b.op(op, inputs, attrs), name);
  }

  /** Applies `op` to a fresh random input of the given dtype and shape. */
  unary(op: string, dtype: DType, shape: StaticShape, attrs: Attrs = {}): Value {
    return this.add(op, [this.input(dtype, shape)], attrs);
  }

  async check(tol = EXACT): Promise<void> {
    const expected = interpret(this.b.graph, this.inputs).outputs;
    const actual = await runOnGpu(this.b.graph, this.inputs);
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    for (const name of Object.keys(expected)) expectClose(actual[name], expected[name], tol, this.labels[name]);
  }
}

const r = rng(20240601);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const randomInt = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const randomShape = (rank: number, dims: readonly number[] = [1, 2, 3, 5]) => Array.from({ length: rank }, () => pick(dims));
function shuffled(n: number): number[] {
  const a = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('reference layout kernels against hand-computed values (and the GPU against both)', () => {
  const t = (shape: StaticShape, data: number[], dtype: DType = 'f32') => hostTensor(dtype, shape, data);
  const cases: [string, HostTensor, string, Attrs, number[]][] = [
    ['transpose 2×3', t([2, 3], [1, 2, 3, 4, 5, 6]), 'transpose', {}, [1, 4, 2, 5, 3, 6]],
    ['slice step -2 from the end', t([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 'slice', { starts: [-1], ends: [-(2 ** 31)], steps: [-2] }, [9, 7, 5, 3, 1]],
    ['slice step -2 from 8 to 1', t([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 'slice', { starts: [8], ends: [1], steps: [-2] }, [8, 6, 4, 2]],
    ['slice clamps ends', t([2, 3], [1, 2, 3, 4, 5, 6]), 'slice', { starts: [1], ends: [1000], axes: [-1] }, [2, 3, 5, 6]],
    ['reflect pad [1,2,3] by 2', t([3], [1, 2, 3]), 'pad', { pads: [2, 2], mode: 'reflect' }, [3, 2, 1, 2, 3, 2, 1]],
    ['reflect pad past one period', t([3], [1, 2, 3]), 'pad', { pads: [5, 0], mode: 'reflect' }, [2, 1, 2, 3, 2, 1, 2, 3]],
    ['edge pad', t([3], [1, 2, 3]), 'pad', { pads: [2, 2], mode: 'edge' }, [1, 1, 1, 2, 3, 3, 3]],
    ['wrap pad', t([3], [1, 2, 3]), 'pad', { pads: [2, 2], mode: 'wrap' }, [2, 3, 1, 2, 3, 1, 2]],
    ['constant pad', t([3], [1, 2, 3]), 'pad', { pads: [1, 2], value: 9 }, [9, 1, 2, 3, 9, 9]],
    ['negative pad crops, then reflects', t([3], [1, 2, 3]), 'pad', { pads: [-1, 2], mode: 'reflect' }, [2, 3, 2, 3]],
    ['2-D constant pad', t([1, 2], [1, 2]), 'pad', { pads: [1, 0, 0, 1], value: -1 }, [-1, -1, -1, 1, 2, -1]],
    ['tile', t([2], [1, 2]), 'tile', { repeats: [3] }, [1, 2, 1, 2, 1, 2]],
    ['expand', t([2, 1], [1, 2]), 'expand', { shape: [2, 3] }, [1, 1, 1, 2, 2, 2]],
    ['reshape keeps order', t([2, 3], [1, 2, 3, 4, 5, 6]), 'reshape', { shape: [3, -1] }, [1, 2, 3, 4, 5, 6]],
  ];

  it('every case on both targets', async () => {
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {};
    cases.forEach(([, x, op, attrs], i) => {
      inputs[`x${i}`] = x;
      b.output(b.op(op, [b.input(`x${i}`, x.dtype, x.shape)], attrs), `y${i}`);
    });
    const data = b.input('data', 'i32', [4]);
    const concatA = b.input('ca', 'f32', [2, 1]);
    const concatB = b.input('cb', 'f32', [2, 2]);
    b.output(b.op('gather', [data, b.constant(hostTensor('i32', [2, 2], [-1, 0, 2, 2]))]), 'gather');
    b.output(b.op('concat', [concatA, concatB], { axis: 1 }), 'concat');
    b.output(b.op('range', [], { start: 5, limit: -7, delta: -3 }), 'range_i32');
    b.output(b.op('range', [], { start: 0.5, limit: 2, delta: 0.5, dtype: 'f32' }), 'range_f32');
    b.output(b.op('fill', [], { shape: [2], value: 0.5, dtype: 'bool' }), 'fill_bool');
    Object.assign(inputs, { data: t([4], [10, 20, 30, 40], 'i32'), ca: t([2, 1], [1, 2]), cb: t([2, 2], [3, 4, 5, 6]) });

    for (const out of [interpret(b.graph, inputs).outputs, await runOnGpu(b.graph, inputs)]) {
      cases.forEach(([label, , , , want], i) => expect([...out[`y${i}`].data], label).toEqual(want));
      expect([...out.gather.data]).toEqual([40, 10, 30, 30]);
      expect([...out.concat.data]).toEqual([1, 3, 4, 2, 5, 6]);
      expect([...out.range_i32.data]).toEqual([5, 2, -1, -4]);
      expect([...out.range_f32.data]).toEqual([0.5, 1, 1.5]);
      expect([...out.fill_bool.data]).toEqual([1, 1]);
    }
  });

  it('gather with an out-of-range index is an InputError naming the node', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 2]);
    const i = b.input('i', 'i32', [2]);
    b.output(b.op('gather', [x, i], { axis: 0 }, 'embed'));
    const run = (indices: number[]) => interpret(b.graph, { x: randomTensor('f32', [3, 2], 1), i: hostTensor('i32', [2], indices) });
    expect(() => run([0, 3])).toThrowError(InputError);
    expect(() => run([0, -4])).toThrowError(/gather 'embed'.*-4/);
    expect(() => run([2, -3])).not.toThrow();
  });
});

/**
 * Index arithmetic does not depend on the element type, and each distinct kernel costs a
 * pipeline compile on lavapipe, so the random sweeps run on f32 and one test covers the dtypes.
 */
describe('layout ops, GPU vs reference on random shapes', () => {
  it('reshape: merging, splitting, regrouping and size-1 dims', async () => {
    const c = new Cases();
    const pairs: [StaticShape, (number | string)[]][] = [
      [[2, 3, 4], [6, 4]],
      [[2, 3, 4], [4, -1]],
      [[6, 4], [2, 3, 4]],
      [[3, 5, 7], [7, 15]],
      [[4, 6], [3, 8]],
      [[1, 5, 1], [5]],
      [[17], [1, 17, 1]],
      [[1025], [5, 205]],
      [[2, 2, 3, 1, 4], [1, 4, 12]],
      [[], [1, 1]],
      [[1], []],
    ];
    for (const [from, to] of pairs) c.unary('reshape', 'f32', from, { shape: to });
    await c.check();
  });

  it('transpose: random permutations of ranks 1-4, and the default reversal', async () => {
    const c = new Cases();
    for (let k = 0; k < 8; k++) {
      const rank = 1 + (k % 4);
      c.unary('transpose', 'f32', randomShape(rank, [1, 2, 3, 17]), { perm: shuffled(rank) });
    }
    c.unary('transpose', 'f32', [3, 1, 5]);
    c.unary('transpose', 'f32', [1025, 3], { perm: [1, 0] });
    await c.check();
  });

  it('slice: negative starts, ends and steps, clamping, several axes', async () => {
    const c = new Cases();
    for (let k = 0; k < 10; k++) {
      const shape = randomShape(3, [1, 3, 5, 17]);
      const axes = shuffled(3).slice(0, randomInt(1, 3));
      const attrs = {
        starts: axes.map(() => randomInt(-20, 20)),
        ends: axes.map(() => pick([randomInt(-20, 20), 2 ** 31 - 1, -(2 ** 31)])),
        axes: axes.map((a) => (r() < 0.5 ? a - 3 : a)),
        steps: axes.map(() => pick([-3, -2, -1, 1, 2, 3])),
      };
      // Empty results are covered by their own test.
      const [out] = inferOp('slice', [{ dtype: 'f32', shape }], attrs, 'probe').outputs;
      if (numel(out.shape as number[]) > 0) c.unary('slice', 'f32', shape, attrs);
    }
    c.unary('slice', 'f32', [1025], { starts: [-1], ends: [-(2 ** 31)], steps: [-1] });
    c.unary('slice', 'f32', [1025], { starts: [3], ends: [1000], steps: [17] });
    await c.check();
  });

  it('gather: every axis, scalar and 2-D indices, negative i32 and u32 indices', async () => {
    const c = new Cases();
    const shape = [5, 3, 17];
    const indexShapes = [[], [4], [2, 3], [1, 1]];
    [0, 1, 2, -1, -3].forEach((axis, k) => {
      const dim = shape[(axis + 3) % 3];
      c.add('gather', [c.input('f32', shape), c.input('i32', indexShapes[k % 4], -dim, dim - 1)], { axis });
      if (k < 3) c.add('gather', [c.input('f32', shape), c.input('u32', [7], 0, dim - 1)], { axis });
    });
    c.add('gather', [c.input('f32', [1025, 3]), c.input('i32', [1025], -1025, 1024)], { axis: 0 });
    await c.check();
  });

  it('gather clamps out-of-range indices on the GPU instead of reading out of bounds', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4, 3]);
    const i = b.input('i', 'i32', [4]);
    b.output(b.op('gather', [x, i]), 'y');
    const data = randomTensor('f32', [4, 3], 5);
    const out = await runOnGpu(b.graph, { x: data, i: hostTensor('i32', [4], [100, -100, 2 ** 31 - 1, -(2 ** 31)]) });
    // Clamped like this, the reference reads rows 3, 0, 3, 0.
    const expected = interpret(b.graph, { x: data, i: hostTensor('i32', [4], [3, 0, 3, 0]) }).outputs.y;
    expectClose(out.y, expected, EXACT);
  });

  it('expand, squeeze, unsqueeze', async () => {
    const c = new Cases();
    for (const [from, to] of [[[3, 1], [2, 3, 5]], [[1], [17]], [[], [3, 4]], [[1, 1, 1], [1, 3, 1]], [[5, 1, 3], [2, 5, 4, 3]], [[1025], [2, 1025]]]) {
      c.unary('expand', 'f32', from, { shape: to });
    }
    for (const axes of [[], [0], [-2], [0, 2]]) c.unary('squeeze', 'f32', [1, 3, 1, 5], { axes });
    for (const axes of [[0], [-1], [1, 3]]) c.unary('unsqueeze', 'f32', [3, 5], { axes });
    c.unary('unsqueeze', 'f32', [], { axes: [0] });
    await c.check();
  });

  it('concat: 2-4 inputs on every axis, negative axes', async () => {
    const c = new Cases();
    for (let k = 0; k < 6; k++) {
      const rank = 1 + (k % 3);
      const base = randomShape(rank, [1, 2, 3, 5]);
      const axis = randomInt(-rank, rank - 1);
      const parts = Array.from({ length: randomInt(2, 4) }, () => {
        const s = [...base];
        s[(axis + rank) % rank] = pick([1, 3, 17]);
        return c.input('f32', s);
      });
      c.add('concat', parts, { axis });
    }
    c.add('concat', [c.input('f32', [1025]), c.input('f32', [1])], { axis: 0 });
    c.add('concat', [c.input('f32', [3, 2])], { axis: 1 });
    await c.check();
  });

  it('pad: every mode, negative pads, pads past one period', async () => {
    const c = new Cases();
    const shapes: StaticShape[] = [[5], [3, 4], [2, 3, 17], [1, 1025]];
    for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
      for (const shape of shapes) {
        // Crops never remove a whole axis (reflect/edge/wrap of nothing is an error).
        const pads = [...shape, ...shape].map((n) => randomInt(-Math.floor((n - 1) / 2), 6));
        c.unary('pad', 'f32', shape, { pads, mode, value: -7.5 });
      }
    }
    await c.check();
  });

  it('tile', async () => {
    const c = new Cases();
    for (const [shape, repeats] of [[[3, 1, 2], [2, 3, 1]], [[17], [3]], [[1], [1025]], [[2, 3], [1, 1]], [[1, 5], [4, 2]]]) {
      c.unary('tile', 'f32', shape, { repeats });
    }
    await c.check();
  });

  it('i32, u32 and bool through every op: storage words, fill values, range arithmetic', async () => {
    const c = new Cases();
    for (const dtype of ['i32', 'bool'] as DType[]) {
      c.unary('reshape', dtype, [3, 5, 7], { shape: [7, 15] });
      c.unary('transpose', dtype, [3, 17, 2], { perm: [2, 0, 1] });
      c.unary('slice', dtype, [17, 3], { starts: [-2], ends: [-(2 ** 31)], steps: [-3] });
      c.add('gather', [c.input(dtype, [5, 3]), c.input('i32', [2, 2], -3, 2)], { axis: 1 });
      c.unary('expand', dtype, [3, 1], { shape: [2, 3, 5] });
      c.unary('squeeze', dtype, [1, 3, 1], {});
      c.unary('unsqueeze', dtype, [3], { axes: [0, -1] });
      c.add('concat', [c.input(dtype, [2, 3]), c.input(dtype, [2, 1]), c.input(dtype, [2, 17])], { axis: -1 });
      c.unary('pad', dtype, [3, 4], { pads: [1, 2, 2, 1], value: dtype === 'bool' ? 1 : -7 });
      c.unary('pad', dtype, [3, 4], { pads: [2, -1, 0, 3], mode: 'reflect' });
      c.unary('tile', dtype, [2, 3], { repeats: [2, 2] });
    }
    const ranges: [DType, number, number, number][] = [
      ['i32', 5, -7, -3],
      ['i32', -3, 1022, 1],
      ['i32', 0.5, 4, 0.25],
      ['u32', 0, 17, 2],
      ['u32', 3e9, 1e9, -1e8],
      ['bool', -2, 3, 1],
      ['f32', 0.5, 10, 0.25],
      ['f32', 1e9, 3e9, 1e8],
      ['f32', 1e9 + 1, 2e9, 12345],
    ];
    for (const [dtype, start, limit, delta] of ranges) c.add('range', [], { start, limit, delta, dtype });
    for (const dtype of ['f32', 'i32', 'u32', 'bool'] as DType[]) c.add('fill', [], { shape: [3, 17], value: -2.5, dtype });
    c.add('fill', [], { shape: [], value: 1, dtype: 'f32' });
    // Non-integer f32 steps round differently in f32 and f64 arithmetic.
    await c.check({ rtol: 1e-6, atol: 1e-6 });
  });

  it('chains of layout ops compose', async () => {
    const c = new Cases();
    const x = c.input('f32', [4, 1, 6]);
    const t = c.b.op('transpose', [x], { perm: [2, 0, 1] });
    const s = c.b.op('slice', [t], { starts: [-1, 1], ends: [-(2 ** 31), 4], axes: [0, 1], steps: [-2, 1] });
    const p = c.b.op('pad', [c.b.op('reshape', [s], { shape: [-1, 3] })], { pads: [1, 1, 0, 2], mode: 'reflect' });
    c.add('concat', [p, c.b.op('tile', [p], { repeats: [1, 2] })], { axis: 1 });
    await c.check();
  });

  it('empty results and empty concat inputs', async () => {
    const c = new Cases();
    c.unary('slice', 'f32', [5, 3], { starts: [4], ends: [1], steps: [1] });
    c.unary('slice', 'i32', [5], { starts: [0], ends: [-(2 ** 31)], steps: [1] });
    c.add('concat', [c.input('f32', [3, 0]), c.input('f32', [3, 2])], { axis: 1 });
    c.add('range', [], { start: 3, limit: 3, delta: 1 });
    await c.check();
  });

  it('transpose of a 2048×2048 f32 matrix (4M elements, a 2-D dispatch grid)', async () => {
    const c = new Cases();
    c.unary('transpose', 'f32', [2048, 2048]);
    await c.check();
  });
});
