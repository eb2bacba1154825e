import { describe, expect, it } from 'vitest';
import type { Attrs, DType, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder, hostTensor, numel, ShapeError } from '../../ir/index.js';
import { resolveAutoPad, resolveConvTransposePads } from '../../ir/ops/nn.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor, rng } from '../helpers/random.js';

/**
 * conv / convTranspose / pools and their backward ops: hand-computed cases from the ONNX
 * operator docs, the WGSL lowerings against the reference on random shapes (templates off, so
 * the generic lowerings are what runs), and every backward op against finite differences.
 */

const TOL = { rtol: 1e-4, atol: 1e-5 };

interface OpCase {
  readonly name: string;
  readonly op: string;
  readonly shapes: readonly StaticShape[];
  readonly attrs: Attrs;
  readonly dtype?: DType;
}

/** One graph with one output per case; GPU (generic lowerings) vs reference. */
async function checkCases(cases: readonly OpCase[], seed: number, makeInput = (dtype: DType, shape: StaticShape, s: number) => randomTensor(dtype, shape, s)): Promise<void> {
  const b = new GraphBuilder();
  const inputs: Record<string, HostTensor> = {};
  cases.forEach((c, i) => {
    const operands = c.shapes.map((shape, j) => {
      const name = `${c.name}:${j}`;
      inputs[name] = makeInput(c.dtype ?? 'f32', shape, seed + 31 * i + j);
      return b.input(name, c.dtype ?? 'f32', shape);
    });
    b.output(b.op(c.op, operands, c.attrs, c.name), c.name);
  });
  const expected = interpret(b.graph, inputs).outputs;
  const actual = await runOnGpu(b.graph, inputs, { templates: false });
  for (const c of cases) expectClose(actual[c.name], expected[c.name], TOL, c.name);
}

const iota = (shape: StaticShape, from = 0) => hostTensor('f32', shape, Array.from({ length: numel(shape) }, (_, i) => i + from));
const ones = (shape: StaticShape) => hostTensor('f32', shape, new Array<number>(numel(shape)).fill(1));

describe('hand-computed cases (ONNX operator docs)', () => {
  it('conv, convTranspose and pools give the documented outputs on reference and GPU', async () => {
    const b = new GraphBuilder();
    const x5 = b.constant(iota([1, 1, 5, 5]));
    const x75 = b.constant(iota([1, 1, 7, 5]));
    const w = b.constant(ones([1, 1, 3, 3]));
    b.output(b.op('conv', [x5, w], { pads: [1, 1, 1, 1] }), 'padded');
    b.output(b.op('conv', [x5, w]), 'valid');
    b.output(b.op('conv', [x75, w], { strides: [2, 2], pads: [1, 0, 1, 0] }), 'asymmetric');
    b.output(b.op('convTranspose', [b.constant(iota([1, 1, 3, 3])), b.constant(ones([1, 2, 3, 3]))]), 'transposed');
    b.output(b.op('maxPool', [b.constant(iota([1, 1, 4, 4], 1))], { kernelShape: [3, 3], strides: [2, 2], ceilMode: true }), 'maxCeil');
    const x9 = b.constant(iota([1, 1, 3, 3], 1));
    const pooled = { kernelShape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] };
    b.output(b.op('avgPool', [x9], pooled), 'avg');
    b.output(b.op('avgPool', [x9], { ...pooled, countIncludePad: true }), 'avgWithPads');
    // Ceil mode: the last window [5, 7] holds 6 at 5, the end pad at 6 and nothing at 7.
    const x6 = b.constant(iota([1, 1, 6], 1));
    const ceil = { kernelShape: [3], strides: [2], pads: [1, 1], ceilMode: true };
    b.output(b.op('avgPool', [x6], ceil), 'avgCeil');
    b.output(b.op('avgPool', [x6], { ...ceil, countIncludePad: true }), 'avgCeilWithPads');
    b.output(b.op('lpPool', [b.constant(hostTensor('f32', [1, 1, 4], [3, -4, 0, 12]))], { kernelShape: [2], strides: [2] }), 'lp');
    // All inputs negative: a zero pad must never be the max.
    b.output(b.op('maxPool', [b.constant(hostTensor('f32', [1, 1, 2, 2], [-5, -3, -4, -6]))], { kernelShape: [2, 2], pads: [1, 1, 1, 1] }), 'maxNegative');

    const transposedRow = [0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8];
    const expected: Record<string, [StaticShape, number[]]> = {
      padded: [[1, 1, 5, 5], [12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84]],
      valid: [[1, 1, 3, 3], [54, 63, 72, 99, 108, 117, 144, 153, 162]],
      asymmetric: [[1, 1, 4, 2], [21, 33, 99, 117, 189, 207, 171, 183]],
      transposed: [[1, 2, 5, 5], [...transposedRow, ...transposedRow]],
      maxCeil: [[1, 1, 2, 2], [11, 12, 15, 16]],
      avg: [[1, 1, 2, 2], [1, 2.5, 5.5, 7]],
      avgWithPads: [[1, 1, 2, 2], [0.25, 1.25, 2.75, 7]],
      avgCeil: [[1, 1, 4], [1.5, 3, 5, 6]],
      avgCeilWithPads: [[1, 1, 4], [1, 3, 5, 3]],
      lp: [[1, 1, 2], [5, 12]],
      maxNegative: [[1, 1, 3, 3], [-5, -3, -3, -4, -3, -3, -4, -4, -6]],
    };
    const reference = interpret(b.graph, {}).outputs;
    const gpu = await runOnGpu(b.graph, {}, { templates: false });
    for (const [name, [shape, values]] of Object.entries(expected)) {
      const want = hostTensor('f32', shape, values);
      expectClose(reference[name], want, { rtol: 1e-6, atol: 1e-6 }, `reference ${name}`);
      expectClose(gpu[name], want, { rtol: 1e-6, atol: 1e-6 }, `gpu ${name}`);
    }
  });
});

describe('forward ops: GPU vs reference on random shapes', () => {
  it('conv: 1-D, 2-D, 3-D, groups, depthwise, dilations, asymmetric pads, strides, bias', async () => {
    await checkCases(
      [
        { name: 'conv1d', op: 'conv', shapes: [[2, 3, 17], [4, 3, 3], [4]], attrs: { pads: [1, 2], strides: [2] } },
        { name: 'conv2dGrouped', op: 'conv', shapes: [[1, 4, 7, 6], [6, 2, 3, 2], [6]], attrs: { group: 2, dilations: [2, 1], pads: [1, 0, 2, 1] } },
        { name: 'depthwise', op: 'conv', shapes: [[2, 3, 5, 5], [3, 1, 3, 3]], attrs: { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] } },
        { name: 'conv3d', op: 'conv', shapes: [[1, 2, 4, 5, 3], [3, 2, 2, 3, 2], [3]], attrs: { pads: [0, 1, 1, 1, 0, 0], strides: [1, 2, 1] } },
        { name: 'pointwise', op: 'conv', shapes: [[3, 5, 1, 1], [1, 5, 1, 1]], attrs: {} },
      ],
      100,
    );
  });

  it('convTranspose: strides, pads, output padding, groups, dilations, 1-D to 3-D', async () => {
    await checkCases(
      [
        { name: 'up2d', op: 'convTranspose', shapes: [[1, 4, 3, 4], [4, 3, 3, 3], [3]], attrs: { strides: [2, 2], pads: [1, 0, 1, 1], outputPadding: [1, 0] } },
        { name: 'grouped1d', op: 'convTranspose', shapes: [[2, 4, 5], [4, 2, 3]], attrs: { group: 2, dilations: [2], strides: [3] } },
        { name: 'up3d', op: 'convTranspose', shapes: [[1, 2, 2, 3, 2], [2, 1, 2, 2, 2]], attrs: { strides: [2, 1, 2] } },
        { name: 'negativePads', op: 'convTranspose', shapes: [[1, 1, 4], [1, 2, 3]], attrs: { strides: [2], pads: [-1, 0] } },
      ],
      200,
    );
  });

  it('pools: ceil mode, pads, dilations, strides, 1-D to 3-D', async () => {
    await checkCases(
      [
        { name: 'max2d', op: 'maxPool', shapes: [[2, 3, 9, 8]], attrs: { kernelShape: [3, 2], strides: [2, 3], pads: [1, 0, 1, 1], dilations: [1, 2], ceilMode: true } },
        { name: 'max3d', op: 'maxPool', shapes: [[1, 2, 5, 4, 3]], attrs: { kernelShape: [2, 2, 2], strides: [2, 1, 2], ceilMode: true } },
        { name: 'avg2d', op: 'avgPool', shapes: [[1, 3, 7, 5]], attrs: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, countIncludePad: true } },
        { name: 'avg1d', op: 'avgPool', shapes: [[2, 2, 17]], attrs: { kernelShape: [4], strides: [3], pads: [2, 1] } },
        { name: 'lp2', op: 'lpPool', shapes: [[1, 2, 6, 5]], attrs: { kernelShape: [2, 3], strides: [2, 1], pads: [0, 1, 1, 0] } },
        { name: 'lp3', op: 'lpPool', shapes: [[1, 2, 7]], attrs: { kernelShape: [3], strides: [2], p: 3, ceilMode: true } },
      ],
      300,
    );
  });

  it('fused: elementwise prologues inside the window loops, epilogues after them', async () => {
    const b = new GraphBuilder();
    const inputs = { x: randomTensor('f32', [1, 3, 6, 5], 601), w: randomTensor('f32', [4, 3, 3, 3], 602), r: randomTensor('f32', [1, 4, 6, 5], 603) };
    const x = b.input('x', 'f32', inputs.x.shape);
    const conv = b.op('conv', [b.op('relu', [x]), b.op('neg', [b.input('w', 'f32', inputs.w.shape)])], { pads: [1, 1, 1, 1] });
    b.output(b.op('sigmoid', [b.op('add', [conv, b.input('r', 'f32', inputs.r.shape)])]), 'convFused');
    b.output(b.op('abs', [b.op('maxPool', [b.op('mul', [x, x])], { kernelShape: [2, 2], pads: [1, 1, 0, 0] })]), 'poolFused');
    const expected = interpret(b.graph, inputs).outputs;
    const actual = await runOnGpu(b.graph, inputs, { templates: false });
    for (const name of ['convFused', 'poolFused']) expectClose(actual[name], expected[name], TOL, name);
  });

  it('maxPool on i32 is exact', async () => {
    await checkCases([{ name: 'maxInt', op: 'maxPool', dtype: 'i32', shapes: [[1, 2, 6, 5]], attrs: { kernelShape: [2, 2], pads: [1, 1, 0, 0] } }], 400, (dtype, shape, s) =>
      randomTensor(dtype, shape, s, -1000, 1000),
    );
  });
});

/** A float64 tensor (finite differences need more than f32 precision). */
function f64Random(shape: StaticShape, seed: number): HostTensor {
  const r = rng(seed);
  return { dtype: 'f32', shape: [...shape], data: Float64Array.from({ length: numel(shape) }, () => r() * 4 - 2) };
}

/** Runs a one-op graph on the reference in float64. */
function run64(op: string, operands: readonly HostTensor[], attrs: Attrs): HostTensor {
  const b = new GraphBuilder();
  const values = operands.map((t, i) => b.input(`in${i}`, t.dtype, t.shape));
  b.output(b.op(op, values, attrs), 'out');
  return interpret(b.graph, Object.fromEntries(operands.map((t, i) => [`in${i}`, t])), { f64: true }).outputs.out;
}

/**
 * d/d(operands[which]) of L = Σ forward(operands) · seed, by central differences. Every forward
 * op here is piecewise linear, so the differences are exact up to rounding.
 */
function finiteDifference(op: string, operands: readonly HostTensor[], attrs: Attrs, which: number, seed: HostTensor): Float64Array {
  const loss = (args: readonly HostTensor[]) => {
    const y = run64(op, args, attrs).data;
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i] * seed.data[i];
    return sum;
  };
  const target = operands[which];
  const grad = new Float64Array(target.data.length);
  const h = 1e-4;
  for (let i = 0; i < grad.length; i++) {
    const bumped = (delta: number) => {
      const data = Float64Array.from(target.data);
      data[i] += delta;
      return operands.map((t, j) => (j === which ? { ...t, data } : t));
    };
    grad[i] = (loss(bumped(h)) - loss(bumped(-h))) / (2 * h);
  }
  return grad;
}

function expectGradient(analytic: HostTensor, numeric: Float64Array, label: string): void {
  expectClose(analytic, { dtype: 'f32', shape: analytic.shape, data: numeric }, { rtol: 1e-6, atol: 1e-7 }, label);
}

const CONV_GRAD_CASES: [string, StaticShape, StaticShape, Attrs][] = [
  ['2-D grouped, strided, dilated, asymmetric pads', [1, 4, 5, 4], [4, 2, 3, 2], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] }],
  ['1-D depthwise', [1, 3, 9], [3, 1, 4], { group: 3, strides: [3], pads: [2, 2] }],
];

const POOL_GRAD_CASES: [string, StaticShape, Attrs][] = [
  ['2-D ceil mode with pads', [1, 2, 7, 6], { kernelShape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], ceilMode: true }],
  ['1-D overlapping with dilation', [2, 1, 9], { kernelShape: [3], strides: [1], pads: [2, 1], dilations: [2] }],
];

describe('backward ops equal finite differences of the forward reference', () => {
  it.each(CONV_GRAD_CASES)('convGradInput and convGradWeight: %s', (_name, xs, ws, attrs) => {
    const x = f64Random(xs, 1);
    const w = f64Random(ws, 2);
    const y = run64('conv', [x, w], attrs);
    const dy = f64Random(y.shape, 3);
    const dx = run64('convGradInput', [dy, w], { ...attrs, inputShape: xs });
    expectGradient(dx, finiteDifference('conv', [x, w], attrs, 0, dy), 'dx');
    const dw = run64('convGradWeight', [x, dy], { ...attrs, weightShape: ws });
    expectGradient(dw, finiteDifference('conv', [x, w], attrs, 1, dy), 'dw');
  });

  it.each(POOL_GRAD_CASES)('maxPoolGrad and avgPoolGrad: %s', (_name, xs, attrs) => {
    const x = f64Random(xs, 4);
    const y = run64('maxPool', [x], attrs);
    const dy = f64Random(y.shape, 5);
    expectGradient(run64('maxPoolGrad', [x, dy], attrs), finiteDifference('maxPool', [x], attrs, 0, dy), 'maxPool dx');
    for (const countIncludePad of [false, true]) {
      const avg = { ...attrs, countIncludePad };
      const dyAvg = f64Random(run64('avgPool', [x], avg).shape, 6);
      expectGradient(run64('avgPoolGrad', [dyAvg], { ...avg, inputShape: xs }), finiteDifference('avgPool', [x], avg, 0, dyAvg), `avgPool dx (countIncludePad ${countIncludePad})`);
    }
  });
});

describe('backward ops: GPU vs reference', () => {
  it('conv gradients and pool gradients (ties route to the first max)', async () => {
    const cases: OpCase[] = [];
    for (const [i, [, xs, ws, attrs]] of CONV_GRAD_CASES.entries()) {
      const b = new GraphBuilder();
      const dyShape = b.op('conv', [b.input('x', 'f32', xs), b.input('w', 'f32', ws)], attrs).type.shape as StaticShape;
      cases.push({ name: `dx${i}`, op: 'convGradInput', shapes: [dyShape, ws], attrs: { ...attrs, inputShape: xs } });
      cases.push({ name: `dw${i}`, op: 'convGradWeight', shapes: [xs, dyShape], attrs: { ...attrs, weightShape: ws } });
    }
    for (const [i, [, xs, attrs]] of POOL_GRAD_CASES.entries()) {
      const b = new GraphBuilder();
      const dyShape = b.op('maxPool', [b.input('x', 'f32', xs)], attrs).type.shape as StaticShape;
      cases.push({ name: `maxGrad${i}`, op: 'maxPoolGrad', shapes: [xs, dyShape], attrs });
    }
    const avg = { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, countIncludePad: true };
    cases.push({ name: 'avgGrad', op: 'avgPoolGrad', shapes: [[2, 2, 4, 4]], attrs: { ...avg, inputShape: [2, 2, 7, 6] } });
    // Small integers make ties common: the first max in tap order must take the gradient.
    await checkCases(cases, 500, (dtype, shape, s) => {
      const t = randomTensor('i32', shape, s, -3, 3);
      return hostTensor(dtype, shape, t.data);
    });
  });
});

describe('shape inference errors name the node', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'f32', [1, 4, 8, 8]);
  it('conv checks channels against group and the kernel rank', () => {
    expect(() => b.op('conv', [x, b.input('w1', 'f32', [6, 3, 3, 3])], {}, 'c1')).toThrow(/conv 'c1'.*4 channels.*group 1 expects 3/);
    expect(() => b.op('conv', [x, b.input('w2', 'f32', [6, 3, 3, 3])], { group: 2 }, 'c2')).toThrow(/conv 'c2'.*group 2 expects 6/);
    expect(() => b.op('conv', [x, b.input('w3', 'f32', [6, 4, 3])], {}, 'c3')).toThrow(/conv 'c3'.*rank 4/);
    expect(() => b.op('conv', [x, b.input('w4', 'f32', [6, 4, 3, 3])], { strides: [1] }, 'c4')).toThrow(ShapeError);
    expect(() => b.op('conv', [x, b.input('w5', 'f32', [6, 4, 9, 9])], {}, 'c5')).toThrow(/conv 'c5'.*window extent 9/);
  });
  it('pools check the kernel rank; gradients check dy against the forward output', () => {
    expect(() => b.op('maxPool', [x], { kernelShape: [2] }, 'p1')).toThrow(/maxPool 'p1'.*kernelShape/);
    expect(() => b.op('avgPoolGrad', [b.input('dy', 'f32', [1, 4, 3, 3])], { kernelShape: [2, 2], strides: [2, 2], inputShape: [1, 4, 8, 8] }, 'g1')).toThrow(/avgPoolGrad 'g1'.*gradient dim 2/);
  });
  it('symbolic batch and spatial dims infer and specialize', () => {
    const s = new GraphBuilder();
    const y = s.op('conv', [s.input('x', 'f32', ['N', 3, 'H', 'W']), s.input('w', 'f32', [5, 3, 3, 3])], { pads: [1, 1, 1, 1] });
    expect(y.type.shape[0]).toBe('N');
    expect(y.type.shape[1]).toBe(5);
    expect(typeof y.type.shape[2]).toBe('string');
  });
});

describe('auto_pad resolution for the ONNX importer', () => {
  it('SAME_UPPER / SAME_LOWER / VALID', () => {
    // in 5, k 3, s 2: out 3, total pad (3-1)*2 + 3 - 5 = 2; in 4, k 4, s 1: total 3, odd.
    expect(resolveAutoPad('SAME_UPPER', [5, 4], [3, 4], [2, 1])).toEqual([1, 1, 1, 2]);
    expect(resolveAutoPad('SAME_LOWER', [5, 4], [3, 4], [2, 1])).toEqual([1, 2, 1, 1]);
    expect(resolveAutoPad('VALID', [5, 4], [3, 4])).toEqual([0, 0, 0, 0]);
    expect(resolveAutoPad('NOTSET', [5], [3], [], [], [2, 1])).toEqual([2, 1]);
  });
  it('convTranspose: output_shape sets the total padding', () => {
    // in 3, s 3, k 3: full output 9; output_shape 10 needs total padding -1: one more row at the end.
    expect(resolveConvTransposePads('NOTSET', [3], [3], [3], [], [], [], [10])).toEqual([0, -1]);
    expect(resolveConvTransposePads('SAME_UPPER', [3], [3], [2])).toEqual([0, 1]);
  });
});
