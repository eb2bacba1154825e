import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { HostTensor } from '../../ir/index.js';
import { GraphBuilder, hostTensor, InputError } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { randomTensor } from '../helpers/random.js';
import { symbolicCnn } from './models.js';

/**
 * Inputs that do not fit a symbolic plan: typed errors (InputError) naming the dim and the
 * inputs it came from, thrown before anything runs; the executable stays usable afterwards.
 */

let device: DawnDevice;
let exe: Executable;

beforeAll(async () => {
  device = await getDefaultDevice();
  // y = x @ w + z: N binds from x and z alike; K from x; 'K+1' is checked against x.
  const b = new GraphBuilder('two_inputs');
  const x = b.input('x', 'f32', ['N', 'K']);
  const z = b.input('z', 'f32', ['N', 3]);
  const extra = b.input('extra', 'f32', ['K+1']);
  const w = b.input('w', 'f32', ['K', 3]);
  b.output(b.op('add', [b.op('matmul', [x, w]), z]), 'y');
  b.output(b.op('reduceSum', [extra], { axes: [0] }), 's');
  exe = await Executable.load(compile(b.graph, { limits: device.limits, dims: { N: { min: 1, max: 64 } } }), device);
});

afterAll(() => exe?.dispose());

const t = (shape: number[], seed = 1): HostTensor => randomTensor('f32', shape, seed);

async function failure(inputs: Record<string, unknown>): Promise<Error> {
  let caught: unknown;
  try {
    await exe.run(inputs as Record<string, HostTensor>);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as Error;
  expect(error.message).not.toContain('\n');
  return error;
}

describe('bad inputs to a symbolic plan', () => {
  it('runs the good case, binding N and K from different inputs', async () => {
    const out = await exe.run({ x: t([5, 4]), z: t([5, 3]), extra: t([5]), w: t([4, 3]) });
    expect(out.y.shape).toEqual([5, 3]);
  });

  it('a size outside the declared bounds names the dim, its bound and the input', async () => {
    const e = await failure({ x: t([65, 4]), z: t([65, 3]), extra: t([5]), w: t([4, 3]) });
    expect(e.message).toMatch(/dim 'N' = 65 \(from input 'x' dim 0\) is above its declared maximum 64/);
  });

  it('two inputs disagreeing on a dim name both', async () => {
    const e = await failure({ x: t([5, 4]), z: t([6, 3]), extra: t([5]), w: t([4, 3]) });
    expect(e.message).toMatch(/dim 'N' is 6 in input 'z' dim 0 but 5 in input 'x' dim 0/);
  });

  it('an expression dim that does not match what the other inputs bind', async () => {
    const e = await failure({ x: t([5, 4]), z: t([5, 3]), extra: t([7]), w: t([4, 3]) });
    expect(e.message).toMatch(/input 'extra' dim 0: size 7, but it is declared 'K\+1' = 5 \(K=4 from input 'x' dim 1\)/);
  });

  it('zero and negative sizes are refused, naming the dim and the input', async () => {
    const zero = await failure({ x: hostTensor('f32', [0, 4]), z: hostTensor('f32', [0, 3]), extra: t([5]), w: t([4, 3]) });
    expect(zero.message).toMatch(/input 'x' dim 0: dim 'N' = 0, but a symbolic dim must be ≥ 1/);
    const negative = await failure({ x: { dtype: 'f32', shape: [-2, 4], data: new Float32Array(8) }, z: t([2, 3]), extra: t([5]), w: t([4, 3]) });
    expect(negative.message).toMatch(/input 'x' dim 0: size -2 is not a whole number ≥ 0 \(declared 'N'\)/);
  });

  it('a bare array binds through its length when one dim of it is unknown, and is checked otherwise', async () => {
    // N = 5 from z; x's 20 elements are N·K, so K = 4; w's 12 elements are then checked as K·3.
    const out = await exe.run({ x: new Float32Array(20), z: t([5, 3]), extra: t([5]), w: new Float32Array(12) });
    expect(out.y.shape).toEqual([5, 3]);
    const mismatch = await failure({ x: new Float32Array(20), z: t([5, 3]), extra: t([5]), w: new Float32Array(15) });
    expect(mismatch.message).toMatch(/input 'w' \(its length\): size 15, but it is declared '3\*K' = 12/);
    // Every input bare: solved one unknown at a time (z: 3·N = 15, extra: K+1 = 5, then x and w checked).
    const bare = await exe.run({ x: new Float32Array(20), z: new Float32Array(15), extra: new Float32Array(5), w: new Float32Array(12) });
    expect(bare.y.shape).toEqual([5, 3]);
  });

  it('an image smaller than a window: an InputError naming the constraint, from a plan compiled once', async () => {
    const cnn = await Executable.load(compile(symbolicCnn('H', 'W', 1, 2), { limits: device.limits }), device);
    try {
      await expect(cnn.run({ image: t([1, 3, 8, 9]) })).resolves.toBeDefined();
      await expect(cnn.run({ image: t([1, 3, 1, 9]) })).rejects.toThrow(/maxPool .*spatial axis 0 .*must be at least the maxPool window extent 2/);
      await expect(cnn.run({ image: t([1, 3, 1, 9]) })).rejects.toBeInstanceOf(InputError);
    } finally {
      cnn.dispose();
    }
  });

  it('still runs after every refusal', async () => {
    const out = await exe.run({ x: t([2, 4]), z: t([2, 3]), extra: t([5]), w: t([4, 3]) });
    expect(out.y.shape).toEqual([2, 3]);
  });
});
