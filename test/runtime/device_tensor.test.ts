import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { GraphBuilder, hostTensor, InputError, UsageError } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { DeviceTensor, Executable, getDefaultDevice } from '../../runtime/index.js';

/**
 * Device tensors as run inputs and `into` targets (runtime/device_feeds.ts): the values a plan
 * computes are the same as through the host, a tensor can be a run's input and its target at
 * once, and misuse is a typed error before anything runs.
 */

let device: DawnDevice;
let affine: Executable;

beforeAll(async () => {
  device = await getDefaultDevice();
  const b = new GraphBuilder('affine');
  const x = b.input('x', 'f32', [2, 3]);
  const two = b.constant(hostTensor('f32', [], [2]), 'two');
  const one = b.constant(hostTensor('f32', [], [1]), 'one');
  b.output(b.op('add', [b.op('mul', [x, two]), one]), 'y');
  b.output(b.op('reduceSum', [x], { axes: [1], keepdims: false }), 'rowSums');
  affine = await Executable.load(compile(b.graph, { limits: device.limits }), device);
});

afterAll(() => affine?.dispose());

const X = hostTensor('f32', [2, 3], [1, -2, 3.5, 0, 4, -1]);

describe('DeviceTensor', () => {
  it('writes and reads back, keeping its capacity when the shape shrinks or grows within it', async () => {
    const t = DeviceTensor.create(device, 'f32', [2, 3], { capacityShape: [4, 3], label: 't' });
    expect(t.capacity).toBe(48);
    t.write(X);
    expect(Array.from((await t.read()).data)).toEqual(Array.from(X.data));
    t.write(hostTensor('f32', [4, 3], Array.from({ length: 12 }, (_, i) => i)));
    expect((await t.read()).shape).toEqual([4, 3]);
    expect(() => t.write(hostTensor('f32', [5, 3]))).toThrow(/does not fit/);
    expect(() => t.write(hostTensor('i32', [2, 3]))).toThrow(InputError);
    t.dispose();
    await expect(t.read()).rejects.toThrow(UsageError);
  });

  it('as an input gives the same outputs as host data', async () => {
    const x = DeviceTensor.create(device, 'f32', [2, 3]);
    x.write(X);
    const viaHost = await affine.run({ x: X });
    const viaDevice = await affine.run({ x });
    expect(Array.from(viaDevice.y.data)).toEqual(Array.from(viaHost.y.data));
    expect(Array.from(viaHost.y.data)).toEqual([3, -3, 8, 1, 9, -1]);
    x.dispose();
  });

  it('takes outputs with into, and can be the input and the target of the same run', async () => {
    const state = DeviceTensor.create(device, 'f32', [2, 3], { label: 'state' });
    state.write(X);
    const sums = DeviceTensor.create(device, 'f32', [0], { capacityShape: [2], label: 'sums' });
    for (let i = 0; i < 3; i++) await affine.run({ x: state }, { outputs: [], into: { y: state, rowSums: sums } });
    const expected = Array.from(X.data, (v) => ((v * 2 + 1) * 2 + 1) * 2 + 1);
    expect(Array.from((await state.read()).data)).toEqual(expected);
    // rowSums of the third run's input, x after two steps.
    const before = Array.from(X.data, (v) => (v * 2 + 1) * 2 + 1);
    expect(sums.shape).toEqual([2]);
    expect(Array.from((await sums.read()).data)).toEqual([before[0] + before[1] + before[2], before[3] + before[4] + before[5]]);
    state.dispose();
    sums.dispose();
  });

  it('misuse is a typed error naming the input or output, and nothing runs', async () => {
    const wrongShape = DeviceTensor.create(device, 'f32', [3, 2]);
    expect(() => affine.dispatch({ x: wrongShape })).toThrow(/input 'x': expected f32\[2,3\], got device tensor 'device tensor' f32\[3,2\]/);
    const wrongType = DeviceTensor.create(device, 'i32', [2, 3]);
    expect(() => affine.dispatch({ x: wrongType })).toThrow(InputError);
    const small = DeviceTensor.create(device, 'f32', [1]);
    expect(() => affine.dispatch({ x: X }, { into: { y: small } })).toThrow(/output 'y': f32\[2,3\] \(24 bytes\) does not fit/);
    expect(() => affine.dispatch({ x: X }, { into: { z: small } })).toThrow(/no output 'z' to leave on the device/);
    small.dispose();
    expect(() => affine.dispatch({ x: X }, { into: { y: small } })).toThrow(/was disposed/);
    wrongShape.dispose();
    wrongType.dispose();
    // The executable still works.
    expect(Array.from((await affine.run({ x: X })).y.data)).toEqual([3, -3, 8, 1, 9, -1]);
  });
});
