import { describe, expect, it } from 'vitest';
import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder, hostTensor, numel, REDUCE_OPS } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import type { Tolerance } from '../helpers/compare.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/**
 * Reductions, argMax/argMin, softmax/logSoftmax and cumSum: the reference against hand-computed
 * values, then the GPU against the reference. Many cases share one graph (one compile, one run);
 * each output carries its own tolerance, scaled by how many f32 values it accumulates (the
 * reference accumulates in f64, the GPU sequentially in f32).
 */

interface Case {
  readonly name: string;
  readonly tol: Tolerance;
}

async function checkAgainstReference(b: GraphBuilder, inputs: Record<string, HostTensor>, cases: readonly Case[]): Promise<void> {
  const expected = interpret(b.graph, inputs).outputs;
  const actual = await runOnGpu(b.graph, inputs);
  for (const { name, tol } of cases) expectClose(actual[name], expected[name], tol, name);
}

/** f32 tolerance for a value accumulated from `count` inputs of magnitude ≤ `scale`. */
function sumTol(count: number, scale = 2): Tolerance {
  return { rtol: 1e-5, atol: 1e-5 + 2e-7 * count * scale };
}
const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** Every subset of a rank's axes; odd subsets spell some axes negatively; [] means all. */
function axisSubsets(rank: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << rank; mask++) {
    const axes: number[] = [];
    for (let d = 0; d < rank; d++) if (mask & (1 << d)) axes.push(mask % 2 === 1 && d % 2 === 0 ? d - rank : d);
    out.push(axes);
  }
  return out;
}

function f32(shape: StaticShape, values: readonly number[]): HostTensor {
  return hostTensor('f32', shape, values);
}

function values(t: HostTensor): number[] {
  return [...t.data].map(Number);
}

describe('reference reductions match hand-computed values', () => {
  const run = (op: string, x: HostTensor, attrs: Record<string, number | boolean | number[]> = {}) => {
    const b = new GraphBuilder();
    b.output(b.op(op, [b.input('x', x.dtype, x.shape)], attrs), 'y');
    return interpret(b.graph, { x }).outputs.y;
  };
  const m = f32([2, 3], [1, 2, 3, 4, 5, 6]);

  it('sums, means, products, max and min over chosen axes', () => {
    expect(values(run('reduceSum', m, { axes: [0] }))).toEqual([5, 7, 9]);
    const rows = run('reduceSum', m, { axes: [-1], keepdims: true });
    expect(rows.shape).toEqual([2, 1]);
    expect(values(rows)).toEqual([6, 15]);
    const all = run('reduceSum', m);
    expect(all.shape).toEqual([]);
    expect(values(all)).toEqual([21]);
    expect(values(run('reduceMean', m, { axes: [1] }))).toEqual([2, 5]);
    expect(values(run('reduceProd', m, { axes: [0, 1] }))).toEqual([720]);
    expect(values(run('reduceMax', m, { axes: [0] }))).toEqual([4, 5, 6]);
    expect(values(run('reduceMin', m, { axes: [1], keepdims: true }))).toEqual([1, 4]);
  });

  it('integer mean truncates toward zero and integer products wrap', () => {
    expect(values(run('reduceMean', hostTensor('i32', [2, 2], [-7, 0, 7, 0]), { axes: [1] }))).toEqual([-3, 3]);
    expect(values(run('reduceProd', hostTensor('i32', [2], [65536, 65537])))).toEqual([65536]);
    expect(values(run('reduceSum', hostTensor('i32', [2], [2147483647, 1])))).toEqual([-2147483648]);
  });

  it('empty reductions give the identities', () => {
    const empty = f32([3, 0], []);
    expect(values(run('reduceSum', empty, { axes: [1] }))).toEqual([0, 0, 0]);
    expect(values(run('reduceProd', empty, { axes: [1] }))).toEqual([1, 1, 1]);
    expect(values(run('reduceMax', empty, { axes: [1] }))).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(values(run('reduceMin', empty, { axes: [1] }))).toEqual([Infinity, Infinity, Infinity]);
    expect(values(run('reduceMean', empty, { axes: [1] })).every(Number.isNaN)).toBe(true);
    expect(values(run('reduceMax', hostTensor('i32', [0], []), {}))).toEqual([-2147483648]);
  });

  it('max and min propagate NaN', () => {
    expect(values(run('reduceMax', f32([3], [1, NaN, 2])))).toEqual([NaN]);
    expect(values(run('reduceMin', f32([3], [NaN, 1, 2])))).toEqual([NaN]);
  });

  it('argMax/argMin take the first tie, or the last with selectLastIndex; NaN wins', () => {
    const ties = f32([4], [1, 3, 3, 2]);
    expect(values(run('argMax', ties))).toEqual([1]);
    expect(values(run('argMax', ties, { selectLastIndex: true }))).toEqual([2]);
    const lows = hostTensor('i32', [4], [2, 0, 5, 0]);
    expect(values(run('argMin', lows))).toEqual([1]);
    expect(values(run('argMin', lows, { selectLastIndex: true }))).toEqual([3]);
    const nans = f32([4], [1, NaN, 5, NaN]);
    expect(values(run('argMax', nans))).toEqual([1]);
    expect(values(run('argMax', nans, { selectLastIndex: true }))).toEqual([3]);
    const cols = run('argMax', m, { axis: 0, keepdims: false });
    expect(cols.dtype).toBe('i32');
    expect(values(cols)).toEqual([1, 1, 1]);
  });

  it('softmax of [0, ln 3] is [1/4, 3/4], and stays finite for huge inputs', () => {
    const p = values(run('softmax', f32([2], [0, Math.log(3)])));
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
    const big = values(run('softmax', f32([2], [1000, 1000 + Math.log(3)])));
    // 1000 + ln 3 rounded to f32 moves the logit by up to 3e-5.
    expect(big[0]).toBeCloseTo(0.25, 4);
    expect(big[1]).toBeCloseTo(0.75, 4);
    const logp = values(run('logSoftmax', f32([2], [0, Math.log(3)])));
    expect(logp[0]).toBeCloseTo(Math.log(0.25), 6);
    expect(logp[1]).toBeCloseTo(Math.log(0.75), 6);
    const rows = values(run('softmax', f32([2, 2], [0, 0, 5, 5]), { axis: 0 }));
    expect(rows.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.006693, 0.006693, 0.993307, 0.993307]);
  });

  it('cumSum forward, exclusive, reverse and both', () => {
    const x = f32([4], [1, 2, 3, 4]);
    expect(values(run('cumSum', x, { axis: 0 }))).toEqual([1, 3, 6, 10]);
    expect(values(run('cumSum', x, { axis: 0, exclusive: true }))).toEqual([0, 1, 3, 6]);
    expect(values(run('cumSum', x, { axis: 0, reverse: true }))).toEqual([10, 9, 7, 4]);
    expect(values(run('cumSum', x, { axis: 0, exclusive: true, reverse: true }))).toEqual([9, 7, 4, 0]);
    expect(values(run('cumSum', m, { axis: -2 }))).toEqual([1, 2, 3, 5, 7, 9]);
  });
});

describe('reductions, GPU vs reference', () => {
  // Size-1 dims and odd sizes in every rank.
  const SHAPES: StaticShape[] = [[], [17], [3, 17], [2, 1, 5], [3, 4, 1, 5]];

  // reduceSum sees every (axes, keepdims) combination; the other reductions share its loop
  // structure and differ only in how they combine, so they take turns (each sees half).
  const OTHERS = REDUCE_OPS.filter((op) => op !== 'reduceSum');

  it.each(SHAPES.map((s) => [s] as [StaticShape]))('every axis subset of shape %j, keepdims on and off', async (shape) => {
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {
      xf: randomTensor('f32', shape, 11 + shape.length),
      xi: randomTensor('i32', shape, 23 + shape.length, -100, 100),
      // Products of many values stay near 1 in magnitude (f32 neither overflows nor underflows).
      pf: randomTensor('f32', shape, 31 + shape.length, 0.7, 1.4),
      pi: randomTensor('i32', shape, 41 + shape.length, -3, 3),
    };
    const xf = b.input('xf', 'f32', shape);
    const xi = b.input('xi', 'i32', shape);
    const pf = b.input('pf', 'f32', shape);
    const pi = b.input('pi', 'i32', shape);
    const cases: Case[] = [];
    axisSubsets(shape.length).forEach((axes, k) => {
      for (const keepdims of [false, true]) {
        const count = axes.length === 0 ? numel(shape) : axes.reduce((n, a) => n * shape[(a + shape.length) % shape.length], 1);
        for (const op of ['reduceSum', OTHERS[(k + Number(keepdims)) % OTHERS.length]]) {
          const prod = op === 'reduceProd';
          for (const [x, dtype] of [[prod ? pf : xf, 'f32'], [prod ? pi : xi, 'i32']] as const) {
            const name = `${op}_${dtype}_${k}_${keepdims}`;
            b.output(b.op(op, [x], { axes, keepdims }), name);
            cases.push({ name, tol: dtype === 'i32' ? EXACT : sumTol(count) });
          }
        }
      }
    });
    await checkAgainstReference(b, inputs, cases);
  });

  it('long rows and columns of 1025, f32 and i32', async () => {
    const shape = [3, 1025];
    const b = new GraphBuilder();
    const inputs = { xf: randomTensor('f32', shape, 5), xi: randomTensor('i32', shape, 6, -1000, 1000) };
    const xs = { f32: b.input('xf', 'f32', shape), i32: b.input('xi', 'i32', shape) };
    const cases: Case[] = [];
    for (const dtype of ['f32', 'i32'] as const) {
      for (const op of ['reduceSum', 'reduceMean', 'reduceMax', 'reduceMin']) {
        for (const axes of [[1], [0], []]) {
          const name = `${op}_${dtype}_${axes.join('')}`;
          b.output(b.op(op, [xs[dtype]], { axes }), name);
          cases.push({ name, tol: dtype === 'i32' ? EXACT : sumTol(3075) });
        }
      }
    }
    await checkAgainstReference(b, inputs, cases);
  });

  it('reduceSum over the last axis of [2048, 2048] (4M inputs)', async () => {
    const shape = [2048, 2048];
    const b = new GraphBuilder();
    b.output(b.op('reduceSum', [b.input('x', 'f32', shape)], { axes: [-1] }), 'rows');
    await checkAgainstReference(b, { x: randomTensor('f32', shape, 99) }, [{ name: 'rows', tol: sumTol(2048) }]);
  });

  it('empty reduced dims give the identities on the GPU too', async () => {
    const b = new GraphBuilder();
    const cases: Case[] = [];
    for (const dtype of ['f32', 'i32'] as const) {
      const x = b.input(`x_${dtype}`, dtype, [3, 0]);
      for (const op of [...REDUCE_OPS, 'argMax', 'argMin']) {
        const name = `${op}_${dtype}`;
        b.output(b.op(op, [x], op.startsWith('arg') ? { axis: 1 } : { axes: [1] }), name);
        cases.push({ name, tol: EXACT });
      }
    }
    await checkAgainstReference(b, { x_f32: f32([3, 0], []), x_i32: hostTensor('i32', [3, 0], []) }, cases);
  });

  it('max and min propagate NaN on the GPU too', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 4]);
    for (const op of ['reduceMax', 'reduceMin']) b.output(b.op(op, [x], { axes: [1] }), op);
    const x0 = f32([3, 4], [1, NaN, 2, 3, NaN, 5, 6, 7, 1, 2, 3, NaN]);
    await checkAgainstReference(b, { x: x0 }, [
      { name: 'reduceMax', tol: EXACT },
      { name: 'reduceMin', tol: EXACT },
    ]);
  });
});

describe('argMax/argMin, GPU vs reference', () => {
  it.each(['f32', 'i32'] as DType[])('every axis, keepdims and selectLastIndex, with ties (%s)', async (dtype) => {
    const shape = [3, 17, 4];
    const b = new GraphBuilder();
    // Few distinct values: many ties. Floats in steps of 0.5.
    const raw = randomTensor('i32', shape, 7, -2, 2);
    const x0 = dtype === 'i32' ? raw : f32(shape, [...raw.data].map((v) => v / 2));
    const x = b.input('x', dtype, shape);
    const cases: Case[] = [];
    for (const op of ['argMax', 'argMin']) {
      for (const axis of [0, 1, 2, -1]) {
        for (const keepdims of [false, true]) {
          for (const selectLastIndex of [false, true]) {
            const name = `${op}_${axis}_${keepdims}_${selectLastIndex}`;
            b.output(b.op(op, [x], { axis, keepdims, selectLastIndex }), name);
            cases.push({ name, tol: EXACT });
          }
        }
      }
    }
    await checkAgainstReference(b, { x: x0 }, cases);
  });

  it('a row of 1025, and NaN wins', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 1025]);
    const y = b.input('y', 'f32', [5]);
    const cases: Case[] = [];
    for (const op of ['argMax', 'argMin']) {
      for (const selectLastIndex of [false, true]) {
        b.output(b.op(op, [x], { axis: 1, selectLastIndex }), `${op}_x_${selectLastIndex}`);
        b.output(b.op(op, [y], { axis: 0, selectLastIndex }), `${op}_y_${selectLastIndex}`);
        cases.push({ name: `${op}_x_${selectLastIndex}`, tol: EXACT }, { name: `${op}_y_${selectLastIndex}`, tol: EXACT });
      }
    }
    await checkAgainstReference(b, { x: randomTensor('f32', [2, 1025], 3), y: f32([5], [1, NaN, 7, NaN, -3]) }, cases);
  });
});

describe('softmax and logSoftmax, GPU vs reference', () => {
  it('every axis of [3,1,4,17], negative axes, and a row of 1025', async () => {
    const shape = [3, 1, 4, 17];
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', shape);
    const long = b.input('long', 'f32', [2, 1025]);
    const cases: Case[] = [];
    for (const op of ['softmax', 'logSoftmax']) {
      for (const axis of [0, 1, 2, 3, -1, -3]) {
        const name = `${op}_${axis}`;
        b.output(b.op(op, [x], { axis }), name);
        cases.push({ name, tol: { rtol: 2e-5, atol: 2e-6 } });
      }
      b.output(b.op(op, [long], { axis: -1 }), `${op}_long`);
      cases.push({ name: `${op}_long`, tol: { rtol: 1e-4, atol: 1e-6 } });
    }
    const inputs = { x: randomTensor('f32', shape, 13, -20, 20), long: randomTensor('f32', [2, 1025], 14, -5, 5) };
    await checkAgainstReference(b, inputs, cases);
  });

  it('huge logits stay finite', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3]);
    b.output(b.op('softmax', [x]), 'p');
    b.output(b.op('logSoftmax', [x]), 'logp');
    const x0 = f32([2, 3], [1000, 1001, 1002, -1000, -1000, -999]);
    await checkAgainstReference(b, { x: x0 }, [
      { name: 'p', tol: { rtol: 1e-5, atol: 1e-6 } },
      { name: 'logp', tol: { rtol: 1e-5, atol: 1e-5 } },
    ]);
  });
});

describe('cumSum, GPU vs reference', () => {
  it.each(['f32', 'i32'] as DType[])('every axis, exclusive and reverse (%s)', async (dtype) => {
    const shape = [3, 17, 1, 4];
    const b = new GraphBuilder();
    const x = b.input('x', dtype, shape);
    const long = b.input('long', dtype, [2, 1025]);
    const cases: Case[] = [];
    const tol = (n: number) => (dtype === 'i32' ? EXACT : sumTol(n));
    for (const exclusive of [false, true]) {
      for (const reverse of [false, true]) {
        for (const axis of [0, 1, 2, 3, -1]) {
          const name = `cumSum_${axis}_${exclusive}_${reverse}`;
          b.output(b.op('cumSum', [x], { axis, exclusive, reverse }), name);
          cases.push({ name, tol: tol(17) });
        }
        const name = `cumSum_long_${exclusive}_${reverse}`;
        b.output(b.op('cumSum', [long], { axis: 1, exclusive, reverse }), name);
        cases.push({ name, tol: tol(1025) });
      }
    }
    const inputs = {
      x: randomTensor(dtype, shape, 17, dtype === 'i32' ? -100 : -2, dtype === 'i32' ? 100 : 2),
      long: randomTensor(dtype, [2, 1025], 18, dtype === 'i32' ? -1000 : -2, dtype === 'i32' ? 1000 : 2),
    };
    await checkAgainstReference(b, inputs, cases);
  });
});
