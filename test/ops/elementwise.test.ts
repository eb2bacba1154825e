import { describe, expect, it } from 'vitest';
import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { BINARY_OPS, GraphBuilder, hostTensor, UNARY_OPS } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/** Inputs each unary op is tested on: inside its domain, away from singularities. */
const DOMAIN: Partial<Record<string, [number, number]>> = {
  log: [0.05, 5],
  sqrt: [0, 5],
  rsqrt: [0.05, 5],
  reciprocal: [0.2, 5],
  asin: [-0.99, 0.99],
  acos: [-0.99, 0.99],
  atanh: [-0.95, 0.95],
  acosh: [1.01, 5],
  tan: [-1.3, 1.3],
  exp: [-10, 10],
  sinh: [-5, 5],
  cosh: [-5, 5],
  tanh: [-20, 20],
  sigmoid: [-20, 20],
  softplus: [-30, 30],
  mish: [-10, 10],
};

const UNARY_DTYPES: Partial<Record<string, DType>> = {
  not: 'bool',
  bitwiseNot: 'i32',
};

const BINARY_DTYPES: Partial<Record<string, DType>> = {
  and: 'bool',
  or: 'bool',
  xor: 'bool',
  bitwiseAnd: 'i32',
  bitwiseOr: 'i32',
  bitwiseXor: 'i32',
  shiftLeft: 'u32',
  shiftRight: 'u32',
};

/** GPU results equal the reference interpreter's for one graph of many outputs. */
async function checkAgainstReference(b: GraphBuilder, inputs: Record<string, HostTensor>, tol = { rtol: 2e-5, atol: 2e-6 }): Promise<void> {
  const expected = interpret(b.graph, inputs).outputs;
  const actual = await runOnGpu(b.graph, inputs);
  for (const name of Object.keys(expected)) expectClose(actual[name], expected[name], tol, name);
}

describe('unary ops, GPU vs reference', () => {
  it.each([[[1]], [[3]], [[17]], [[1025]], [[4, 1, 3]]] as [StaticShape][])('every float op on shape %j', async (shape) => {
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {};
    for (const op of Object.keys(UNARY_OPS)) {
      const dtype = UNARY_DTYPES[op] ?? 'f32';
      const [lo, hi] = DOMAIN[op] ?? [-4, 4];
      const name = `x_${op}`;
      inputs[name] = randomTensor(dtype, shape, op.length * 7919 + shape.length, lo, hi);
      b.output(b.op(op, [b.input(name, dtype, shape)]), op);
    }
    await checkAgainstReference(b, inputs, { rtol: 3e-5, atol: 3e-6 });
  });

  it('integer ops are exact', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'i32', [1025]);
    for (const op of ['neg', 'abs', 'relu', 'sign', 'bitwiseNot']) b.output(b.op(op, [x]), op);
    await checkAgainstReference(b, { x: randomTensor('i32', [1025], 5, -1000, 1000) });
  });

  it('isNaN and isInf see non-finite values', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [5]);
    b.output(b.op('isNaN', [x]), 'nan');
    b.output(b.op('isInf', [x]), 'inf');
    b.output(b.op('isInf', [x], { detectNegative: false }), 'posinf');
    const inputs = { x: hostTensor('f32', [5], [NaN, Infinity, -Infinity, 0, 1]) };
    const out = await runOnGpu(b.graph, inputs);
    expect([...out.nan.data]).toEqual([1, 0, 0, 0, 0]);
    expect([...out.inf.data]).toEqual([0, 1, 1, 0, 0]);
    expect([...out.posinf.data]).toEqual([0, 1, 0, 0, 0]);
  });
});

describe('binary ops with broadcasting, GPU vs reference', () => {
  const shapes: [StaticShape, StaticShape][] = [
    [[17], [17]],
    [[3, 1], [1, 5]],
    [[2, 3, 4], [4]],
    [[1], [1025]],
    [[2, 1, 3], [7, 1]],
  ];
  it.each(shapes)('every op on %j ⊕ %j', async (sa, sb) => {
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {};
    for (const op of Object.keys(BINARY_OPS)) {
      const dtype = BINARY_DTYPES[op] ?? 'f32';
      const hi = op === 'shiftLeft' || op === 'shiftRight' ? 40 : 3;
      const lo = dtype === 'u32' ? 0 : op === 'pow' ? 0.2 : -3;
      inputs[`a_${op}`] = randomTensor(dtype, sa, op.length * 31 + 1, dtype === 'u32' ? 0 : lo, dtype === 'u32' ? 1 << 20 : hi);
      inputs[`b_${op}`] = randomTensor(dtype, sb, op.length * 37 + 2, lo, hi);
      if (op === 'div' || op === 'mod') {
        // Keep divisors away from 0 for floats (the quotient is ill-conditioned there).
        const d = inputs[`b_${op}`].data;
        for (let i = 0; i < d.length; i++) if (Math.abs(d[i]) < 0.25) d[i] = 0.25;
      }
      b.output(b.op(op, [b.input(`a_${op}`, dtype, sa), b.input(`b_${op}`, dtype, sb)]), op);
    }
    await checkAgainstReference(b, inputs, { rtol: 1e-5, atol: 1e-5 });
  });

  it('integer arithmetic is exact, including division and modulo signs', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'i32', [1025]);
    const y = b.input('y', 'i32', [1025]);
    for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow', 'equal', 'less', 'greaterEqual']) b.output(b.op(op, [x, y]), op);
    b.output(b.op('mod', [x, y]), 'mod');
    b.output(b.op('mod', [x, y], { fmod: true }), 'fmod');
    const y0 = randomTensor('i32', [1025], 8, -9, 9);
    await checkAgainstReference(b, { x: randomTensor('i32', [1025], 7, -50000, 50000), y: y0 });
  });

  it('python and C remainders differ on signs (hand-checked)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4]);
    const y = b.input('y', 'f32', [4]);
    b.output(b.op('mod', [x, y]), 'mod');
    b.output(b.op('mod', [x, y], { fmod: true }), 'fmod');
    const inputs = { x: hostTensor('f32', [4], [5, -5, 5, -5]), y: hostTensor('f32', [4], [3, 3, -3, -3]) };
    for (const out of [interpret(b.graph, inputs).outputs, await runOnGpu(b.graph, inputs)]) {
      expect([...out.mod.data]).toEqual([2, 1, -1, -2]);
      expect([...out.fmod.data]).toEqual([2, -2, 2, -2]);
    }
  });
});

describe('where, clip, cast', () => {
  it('where and clip broadcast', async () => {
    const b = new GraphBuilder();
    const c = b.input('c', 'bool', [3, 1]);
    const x = b.input('x', 'f32', [3, 17]);
    const y = b.input('y', 'f32', [17]);
    const lo = b.constant(hostTensor('f32', [], [-0.5]));
    const hi = b.constant(hostTensor('f32', [1], [0.75]));
    b.output(b.op('where', [c, x, y]), 'where');
    b.output(b.op('clip', [x, lo, hi]), 'clip');
    await checkAgainstReference(b, { c: randomTensor('bool', [3, 1], 1), x: randomTensor('f32', [3, 17], 2), y: randomTensor('f32', [17], 3) });
  });

  it('casts between every pair of dtypes', async () => {
    const dtypes: DType[] = ['f32', 'i32', 'u32', 'bool'];
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = {};
    for (const from of dtypes) {
      inputs[from] = randomTensor(from, [1025], 11, from === 'u32' ? 0 : -100, 100);
      const x = b.input(from, from, [1025]);
      for (const to of dtypes) b.output(b.op('cast', [x], { to }), `${from}_to_${to}`);
    }
    await checkAgainstReference(b, inputs, { rtol: 0, atol: 0 });
  });

  it('an elementwise op over 4M elements', async () => {
    const n = 4 * 1024 * 1024 + 3;
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [n]);
    b.output(b.op('mul', [b.op('add', [x, x]), x]), 'y');
    await checkAgainstReference(b, { x: randomTensor('f32', [n], 99) });
  });
});
