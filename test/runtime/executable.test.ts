import { afterAll, describe, expect, it } from 'vitest';
import { Executable, getDefaultDevice, hostTensor } from '../../runtime/index.js';
import { addPlan, binaryKernel, BOOL_XOR, grid, HandPlan, seeded } from './hand_plan.js';

const loaded: Executable[] = [];
async function load(...args: Parameters<typeof Executable.load>): Promise<Executable> {
  const exe = await Executable.load(...args);
  loaded.push(exe);
  return exe;
}
afterAll(() => loaded.forEach((e) => e.dispose()));

describe('Executable: values', () => {
  it('adds f32 vectors, from HostTensors or bare arrays', async () => {
    const exe = await load(addPlan(1000));
    const a = seeded(1000, 1);
    const b = seeded(1000, 2);
    const { out } = await exe.run({ a: hostTensor('f32', [1000], a), b });
    expect(out.dtype).toBe('f32');
    expect(out.shape).toEqual([1000]);
    expect(out.data).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 1000; i++) expect(out.data[i]).toBe(Math.fround(a[i] + b[i]));
  });

  it('adds i32 and u32 vectors exactly, odd sizes and all', async () => {
    for (const [type, Ctor] of [['i32', Int32Array], ['u32', Uint32Array]] as const) {
      const p = new HandPlan();
      const n = 1025;
      const [a, b, out] = ['a', 'b', 'out'].map((name) => p.tensor(name, type, [n]));
      p.step(p.kernel(`add_${type}`, binaryKernel(type, '+'), 3), [a, b, out], grid(n)).input('a', a).input('b', b).output('out', out);
      const exe = await load(p.build(`add_${type}`));
      const values = (f: (i: number) => number): Int32Array | Uint32Array => new Ctor(Array.from({ length: n }, (_, i) => f(i)));
      const x = values((i) => (type === 'i32' ? i * 7919 - 4_000_000 : i * 4_000_000));
      const y = values((i) => (type === 'i32' ? -i * 31 : 3_000_000_000 - i));
      const res = (await exe.run({ a: x, b: y })).out;
      expect(res.data).toBeInstanceOf(Ctor);
      const expected = values((i) => x[i] + y[i]); // the typed array wraps like u32/i32 on the GPU
      expect(Array.from(res.data)).toEqual(Array.from(expected));
    }
  });

  it('takes bools as bytes and returns bytes, stored as u32 words on the device', async () => {
    const p = new HandPlan();
    const n = 7;
    const [a, b, out] = ['a', 'b', 'out'].map((name) => p.tensor(name, 'bool', [n]));
    p.step(p.kernel('xor_bool', BOOL_XOR, 3), [a, b, out], [1, 1, 1]).input('a', a).input('b', b).output('out', out);
    const exe = await load(p.build('xor'));
    const x = Uint8Array.from([0, 1, 0, 1, 2, 0, 255]);
    const y = Uint8Array.from([0, 0, 1, 1, 1, 9, 0]);
    const { out: res } = await exe.run({ a: x, b: hostTensor('bool', [n], y) });
    expect(res.dtype).toBe('bool');
    expect(res.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(res.data)).toEqual([0, 1, 1, 0, 0, 1, 1]);
  });

  it('converts Float64Array to f32 and copies SharedArrayBuffer views before writeBuffer', async () => {
    const exe = await load(addPlan(5));
    const shared = new Float32Array(new SharedArrayBuffer(5 * 4));
    shared.set([1, 2, 3, 4, 5]);
    const { out } = await exe.run({ a: Float64Array.from([0.1, 0.2, 0.3, 0.4, 1e40]), b: shared });
    const expected = [0.1, 0.2, 0.3, 0.4, 1e40].map((v, i) => Math.fround(Math.fround(v) + i + 1));
    expect(Array.from(out.data)).toEqual(expected);
  });

  it('covers 4M+3 elements with a 2-D grid (x capped at 65535 workgroups)', async () => {
    const n = 4 * 1024 * 1024 + 3;
    const dispatch = grid(n);
    expect(dispatch[1]).toBeGreaterThan(1);
    const exe = await load(addPlan(n, 'add_4m'));
    const a = seeded(n, 3, 100);
    const b = seeded(n, 4, 100);
    const { out } = await exe.run({ a, b });
    let bad = 0;
    for (let i = 0; i < n; i++) if (out.data[i] !== Math.fround(a[i] + b[i])) bad++;
    expect(bad).toBe(0);
  });

  it('runs several steps in one pass, reading weights from the constants region', async () => {
    // y = x + w; z = y * x; the outputs are z and y.
    const p = new HandPlan();
    const n = 300;
    const x = p.tensor('x', 'f32', [n]);
    const w = p.tensor('w', 'f32', [n], 'constants');
    const y = p.tensor('y', 'f32', [n]);
    const z = p.tensor('z', 'f32', [n]);
    const add = p.kernel('add', binaryKernel('f32', '+'), 3);
    const mul = p.kernel('mul', binaryKernel('f32', '*'), 3);
    const wData = seeded(n, 9);
    p.step(add, [x, w, y], grid(n)).step(mul, [y, x, z], grid(n)).input('x', x).constant(w, wData).output('z', z).output('y', y);
    const exe = await load(p.build('chain'));
    const xData = seeded(n, 10);
    const res = await exe.run({ x: xData });
    for (let i = 0; i < n; i++) {
      const yi = Math.fround(xData[i] + wData[i]);
      expect(res.y.data[i]).toBe(yi);
      expect(res.z.data[i]).toBe(Math.fround(yi * xData[i]));
    }
    // Only what was asked for comes back.
    expect(Object.keys(await exe.run({ x: xData }, { outputs: ['y'] }))).toEqual(['y']);
  });

  it('binds zero-size tensors and skips empty dispatches', async () => {
    const p = new HandPlan();
    const empty = p.tensor('empty', 'f32', [0]);
    const empty2 = p.tensor('empty2', 'f32', [2, 0]);
    const a = p.tensor('a', 'f32', [4]);
    const out = p.tensor('out', 'f32', [4]);
    // Bindings 0 and 1 are empty, yet the kernel runs: it only reads `b` = a, writes out.
    const copyish = `@group(0) @binding(0) var<storage, read_write> e0: array<f32>;
@group(0) @binding(1) var<storage, read_write> e1: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) gid: vec3u) {
  out[gid.x] = b[gid.x] * 2.0 + f32(arrayLength(&e0) * 0u);
}`;
    const k = p.kernel('double', copyish, 4, [4, 1, 1]);
    const boom = p.kernel('never', binaryKernel('f32', '+'), 3);
    p.step(k, [empty, empty2, a, out], [1, 1, 1]).step(boom, [empty, a, out], [0, 1, 1]);
    p.input('a', a).input('empty', empty).output('out', out).output('empty2', empty2);
    const exe = await load(p.build('zeros'));
    const res = await exe.run({ a: Float32Array.from([1, 2, 3, 4]), empty: new Float32Array(0) });
    expect(Array.from(res.out.data)).toEqual([2, 4, 6, 8]);
    expect(res.empty2.shape).toEqual([2, 0]);
    expect(res.empty2.data.length).toBe(0);
  });

  it('learns an estimate of its GPU time', async () => {
    const exe = await load(addPlan(1 << 16, 'estimate'));
    const a = seeded(1 << 16, 5);
    for (let i = 0; i < 5; i++) await exe.run({ a, b: a });
    expect(exe.gpuTimeEstimateMs).toBeGreaterThan(0);
    expect((await getDefaultDevice()).errorCount).toBe(0);
  });
});
