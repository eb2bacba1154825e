import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { addPlan, seeded } from './hand_plan.js';

/** A full GC, so heap sizes measure what is retained rather than what awaits collection. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('Executable: concurrency and memory', () => {
  it('returns the right result to each of 200 concurrent runs', async () => {
    const n = 257;
    const exe = await Executable.load(addPlan(n));
    const cases = Array.from({ length: 200 }, (_, k) => ({ a: seeded(n, 2 * k + 1), b: seeded(n, 2 * k + 2) }));
    const results = await Promise.all(cases.map((inputs) => exe.run(inputs)));
    results.forEach(({ out }, k) => {
      const { a, b } = cases[k];
      for (let i = 0; i < n; i++) if (out.data[i] !== Math.fround(a[i] + b[i])) throw new Error(`run ${k}, element ${i}: ${out.data[i]}`);
    });
    exe.dispose();
  });

  it('keeps memory flat over 10,000 runs and frees everything on dispose', async () => {
    const device = await getDefaultDevice();
    const before = device.allocatedBytes;
    const n = 64;
    const exe = await Executable.load(addPlan(n));
    const a = seeded(n, 1);
    const b = seeded(n, 2);
    await exe.run({ a, b });
    const warm = exe.allocatedBytes;
    expect(device.allocatedBytes - before).toBe(warm);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) {
      b[0] = i;
      const { out } = await exe.run({ a, b });
      if (out.data[0] !== Math.fround(a[0] + i)) throw new Error(`run ${i}: ${out.data[0]}`);
    }
    expect(exe.allocatedBytes).toBe(warm);
    // Nor does the JS heap keep anything per run (10,000 leaked handles would be megabytes).
    collectGarbage();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(2 * 1024 * 1024);
    exe.dispose();
    expect(exe.allocatedBytes).toBe(0);
    expect(device.allocatedBytes).toBe(before);
  });

  it('stages large inputs through reused mapped buffers: right results in flight, flat memory, nothing left after dispose', async () => {
    const device = await getDefaultDevice();
    const before = device.allocatedBytes;
    // 2 × 64K floats = 512 KiB of inputs per run: over the staged-upload threshold.
    const n = 65536;
    const exe = await Executable.load(addPlan(n));
    const check = (out: { data: ArrayLike<number> }, a: Float32Array, b: Float32Array, what: string) => {
      for (let i = 0; i < n; i += 97) if (out.data[i] !== Math.fround(a[i] + b[i])) throw new Error(`${what}, element ${i}: ${out.data[i]}`);
    };
    const a = seeded(n, 1);
    const b = seeded(n, 2);
    check((await exe.run({ a, b })).out, a, b, 'first run');
    // Let the first run's upload buffer come back mapped before measuring the steady state.
    await exe.run({ a, b });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const warm = exe.allocatedBytes;
    for (let i = 0; i < 200; i++) {
      b[i] = -i;
      check((await exe.run({ a, b })).out, a, b, `run ${i}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exe.allocatedBytes).toBe(warm);
    // Concurrent runs each stage their own inputs: none sees another's.
    const cases = Array.from({ length: 12 }, (_, k) => ({ a: seeded(n, 10 + 2 * k), b: seeded(n, 11 + 2 * k) }));
    const results = await Promise.all(cases.map((inputs) => exe.run(inputs)));
    results.forEach(({ out }, k) => check(out, cases[k].a, cases[k].b, `concurrent run ${k}`));
    exe.dispose();
    expect(exe.allocatedBytes).toBe(0);
    expect(device.allocatedBytes).toBe(before);
  });

  it('trims the readback pool after a burst of concurrent runs', async () => {
    const exe = await Executable.load(addPlan(1024));
    await exe.run({ a: seeded(1024, 1), b: seeded(1024, 2) });
    const warm = exe.allocatedBytes;
    await Promise.all(Array.from({ length: 50 }, () => exe.run({ a: seeded(1024, 1), b: seeded(1024, 2) })));
    // A few readback buffers stay idle for reuse; the other 46 or so are gone.
    expect(exe.allocatedBytes).toBeLessThanOrEqual(warm + 3 * 4096);
    exe.dispose();
  });
});
