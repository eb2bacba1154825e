import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../runtime/index.js';
import { ArtifactError, DeviceError, Executable, getDefaultDevice, hostTensor, InputError, OutOfMemoryError, UsageError } from '../../runtime/index.js';
import { addPlan, binaryKernel, HandPlan } from './hand_plan.js';
import { thrown } from '../helpers/errors.js';

describe('Executable: input errors', () => {
  let exe: Executable;
  const ok = Float32Array.from([1, 2, 3, 4]);
  beforeAll(async () => {
    exe = await Executable.load(addPlan(4));
  });
  afterAll(() => exe.dispose());

  it.each([
    ['an unknown name', { a: ok, b: ok, c: ok }, /unknown input 'c'/],
    ['a missing input', { a: ok }, /missing input 'b'/],
    ['a wrong array type', { a: ok, b: Int32Array.from([1, 2, 3, 4]) }, /input 'b': dtype f32 needs a Float32Array or Float64Array, got a Int32Array/],
    ['a wrong length', { a: ok, b: new Float32Array(5) }, /input 'b': expected 4 elements/],
    ['a wrong HostTensor dtype', { a: hostTensor('i32', [4]), b: ok }, /input 'a': expected dtype f32, got i32/],
    ['a wrong HostTensor shape', { a: hostTensor('f32', [2, 2]), b: ok }, /input 'a': expected shape \[4\], got \[2,2\]/],
    ['a plain array', { a: [1, 2, 3, 4], b: ok }, /input 'a': expected a HostTensor or a typed array/],
  ])('names the input on %s', async (_, inputs, message) => {
    const error = await thrown(() => exe.run(inputs as never));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(message);
  });

  it('names a detached input', async () => {
    const b = new Float32Array(4);
    structuredClone(b.buffer, { transfer: [b.buffer] });
    const error = await thrown(() => exe.run({ a: ok, b }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/input 'b': its ArrayBuffer is detached/);
  });

  it('writes nothing when one input is bad, and keeps working', async () => {
    await exe.run({ a: ok, b: ok });
    expect(() => exe.dispatch({ a: Float32Array.from([9, 9, 9, 9]), b: new Float32Array(3) })).toThrow(InputError);
    expect(Array.from((await exe.run({ a: ok, b: ok })).out.data)).toEqual([2, 4, 6, 8]);
    await expect(exe.run({ a: ok, b: ok }, { outputs: ['nope'] })).rejects.toThrow(UsageError);
  });
});

/** The add plan with one kernel's WGSL replaced. */
function planWithKernel(wgsl: string, name = 'bad_kernel'): Plan {
  const p = new HandPlan();
  const [a, b, out] = ['a', 'b', 'out'].map((n) => p.tensor(n, 'f32', [4]));
  p.kernel('fine', binaryKernel('f32', '+'), 3);
  const k = p.kernel(name, wgsl, 3);
  return p.step(0, [a, b, out], [1, 1, 1]).step(k, [a, b, out], [1, 1, 1]).input('a', a).input('b', b).output('out', out).build('broken');
}

describe('Executable.load: device errors', () => {
  it('names the kernel and line of a WGSL syntax error', async () => {
    const wgsl = binaryKernel('f32', '+').replace('a[i] + b[i]', 'a[i] + ;');
    const error = await thrown(() => Executable.load(planWithKernel(wgsl)));
    expect(error).toBeInstanceOf(DeviceError);
    expect(error.message).toMatch(/kernel 1 'bad_kernel': WGSL error at line 6:\d+/);
  });

  it("names a kernel that declares a binding read-only, or lacks the entry point", async () => {
    const readOnly = binaryKernel('f32', '+').replace('var<storage, read_write> a', 'var<storage, read> a');
    const e1 = await thrown(() => Executable.load(planWithKernel(readOnly, 'reads_only')));
    expect(e1).toBeInstanceOf(DeviceError);
    expect(e1.message).toMatch(/kernel 1 'reads_only'.*ReadOnlyStorage/);
    const e2 = await thrown(() => Executable.load(planWithKernel(binaryKernel('f32', '+').replace('fn main', 'fn other'), 'no_main')));
    expect(e2.message).toMatch(/kernel 1 'no_main'.*Entry point/i);
  });

  it('rejects a step binding overlapping tensors, naming them', async () => {
    const p = new HandPlan();
    const a = p.tensor('a', 'f32', [64]);
    const b = p.tensor('b', 'f32', [64], 'arena', 0); // in place over a
    const out = p.tensor('out', 'f32', [64]);
    p.step(p.kernel('add', binaryKernel('f32', '+'), 3), [a, b, out], [1, 1, 1], 'add x y').input('a', a).output('out', out);
    const error = await thrown(() => Executable.load(p.build()));
    expect(error).toBeInstanceOf(DeviceError);
    expect(error.message).toMatch(/step 0 'add x y': bindings 0 \('a'.*and 1 \('b'.*overlap/);
  });

  it('names a missing feature, a short limit, a dispatch too large and a misaligned offset', async () => {
    const dev = await getDefaultDevice();
    const feature = addPlan(4);
    (feature.requirements.features as string[]).push('no-such-feature');
    expect((await thrown(() => Executable.load(feature))).message).toMatch(/needs the feature 'no-such-feature'/);

    const limit = addPlan(4);
    (limit.requirements.limits as Record<string, number>).maxComputeInvocationsPerWorkgroup = 1 << 20;
    const e = await thrown(() => Executable.load(limit));
    expect(e).toBeInstanceOf(DeviceError);
    expect(e.message).toMatch(/needs maxComputeInvocationsPerWorkgroup = 1048576, but the adapter .* has \d+/);

    const p = new HandPlan();
    const [a, b, out] = ['a', 'b', 'out'].map((n) => p.tensor(n, 'f32', [4]));
    p.step(p.kernel('add', binaryKernel('f32', '+'), 3), [a, b, out], [dev.limits.maxComputeWorkgroupsPerDimension + 1, 1, 1]);
    expect((await thrown(() => Executable.load(p.build()))).message).toMatch(/dispatch \[65536,1,1\].*maxComputeWorkgroupsPerDimension/);

    const q = new HandPlan();
    const x = q.tensor('x', 'f32', [4], 'arena', 4);
    const [y, z] = ['y', 'z'].map((n) => q.tensor(n, 'f32', [4]));
    q.step(q.kernel('add', binaryKernel('f32', '+'), 3), [x, y, z], [1, 1, 1]);
    expect((await thrown(() => Executable.load(q.build()))).message).toMatch(/tensor 'x' sits at arena offset 4, not a multiple of minStorageBufferOffsetAlignment/);
  });

  it('reports a region above maxBufferSize as OutOfMemoryError with the numbers', async () => {
    const dev = await getDefaultDevice();
    const p = new HandPlan();
    const huge = Math.floor(dev.limits.maxBufferSize / 4) + 1;
    p.tensor('huge', 'f32', [huge], 'constants');
    const error = await thrown(() => Executable.load(p.build('huge')));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error.message).toContain(`needs ${huge * 4} bytes, above the device's maxBufferSize of ${dev.limits.maxBufferSize}`);
    expect(dev.allocatedBytes).toBe(0);
  });

  it('requires constants to carry data', async () => {
    const p = new HandPlan();
    p.constant(p.tensor('w', 'f32', [4], 'constants'));
    expect(await thrown(() => Executable.load(p.build()))).toBeInstanceOf(ArtifactError);
  });
});
