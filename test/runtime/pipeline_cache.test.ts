import { describe, expect, it } from 'vitest';
import { acquireDevice, DeviceError, Executable, getDefaultDevice } from '../../runtime/index.js';
import { cachedPipelineCount } from '../../runtime/pipelines.js';
import { addPlan, binaryKernel, grid, HandPlan, seeded } from './hand_plan.js';

/** A plan like addPlan whose kernel computes `a op b`. */
function binaryPlan(n: number, op: string, name: string, wgsl = binaryKernel('f32', op)) {
  const p = new HandPlan();
  const [a, b, out] = ['a', 'b', 'out'].map((t) => p.tensor(t, 'f32', [n]));
  return p.step(p.kernel(`${name}_kernel`, wgsl, 3), [a, b, out], grid(n)).input('a', a).input('b', b).output('out', out).build(name);
}

describe('pipelines shared across executables', () => {
  it('creates one pipeline per distinct kernel per device, and every executable computes with it', async () => {
    const device = await acquireDevice();
    try {
      const before = cachedPipelineCount(device.device);
      const first = await Executable.load(addPlan(1000, 'first'), device);
      const second = await Executable.load(addPlan(333, 'second'), device);
      // The same WGSL (the kernel reads its size from arrayLength): one pipeline for both plans.
      expect(cachedPipelineCount(device.device)).toBe(before + 1);
      const third = await Executable.load(binaryPlan(100, '*', 'third'), device);
      expect(cachedPipelineCount(device.device)).toBe(before + 2);
      const a = seeded(1000, 1);
      const b = seeded(1000, 2);
      expect(Array.from((await first.run({ a, b })).out.data)).toEqual(Array.from(a, (x, i) => Math.fround(x + b[i])));
      const a2 = a.slice(0, 333);
      const b2 = b.slice(0, 333);
      expect(Array.from((await second.run({ a: a2, b: b2 })).out.data)).toEqual(Array.from(a2, (x, i) => Math.fround(x + b2[i])));
      const a3 = a.slice(0, 100);
      const b3 = b.slice(0, 100);
      expect(Array.from((await third.run({ a: a3, b: b3 })).out.data)).toEqual(Array.from(a3, (x, i) => Math.fround(x * b3[i])));
      for (const e of [first, second, third]) e.dispose();
      // Disposing executables keeps the pipelines for the next plan that needs them.
      await Executable.load(addPlan(10, 'fourth'), device).then((e) => e.dispose());
      expect(cachedPipelineCount(device.device)).toBe(before + 2);
    } finally {
      device.destroy();
    }
  });

  it('keeps each device its own pipelines', async () => {
    const other = await acquireDevice();
    try {
      (await Executable.load(addPlan(64, 'shared'), await getDefaultDevice())).dispose();
      expect(cachedPipelineCount(other.device)).toBe(0);
      const exe = await Executable.load(addPlan(64, 'own'), other);
      expect(cachedPipelineCount(other.device)).toBe(1);
      exe.dispose();
    } finally {
      other.destroy();
    }
  });

  it('names the plan that needs a broken kernel, each time, and caches no failure', async () => {
    const device = await getDefaultDevice();
    const broken = binaryKernel('f32', '+').replace('fn main', 'fn main_missing_semicolon() { let x = 1 }\nfn main');
    const count = cachedPipelineCount(device.device);
    for (const name of ['alpha', 'beta']) {
      const error = await Executable.load(binaryPlan(8, '+', name, broken), device).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as Error).message).toContain(`plan '${name}', kernel 0 '${name}_kernel'`);
    }
    expect(cachedPipelineCount(device.device)).toBe(count);
  });
});
