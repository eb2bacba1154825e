import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { getDefaultDevice, hostTensor, InputError, UsageError } from '../../runtime/index.js';
import type { Plan } from '../../runtime/index.js';
import { PlanRunner } from '../../runtime/plan_runner.js';
import { addPlan, HandPlan, INCREMENT, seeded } from './hand_plan.js';

/**
 * The core of an executable on its own, with no policy around it: what a recovery, a guard or
 * a snapshot asks of it (states copies, a backup to undo a run, a rebuild elsewhere).
 */

/** count ← count + 1 at the end of every run; the output is the new count. */
function counterPlan(initial: number): Plan {
  const p = new HandPlan();
  const count = p.tensor('count', 'f32', [1], 'states');
  const next = p.tensor('next', 'f32', [1]);
  p.step(p.kernel('increment', INCREMENT, 2, [1, 1, 1]), [count, next], [1, 1, 1]);
  p.state(count, Float32Array.of(initial));
  return p.update(count, next).output('next', next).build('counter');
}

describe('PlanRunner', () => {
  it('submits runs, copies the states with a run when asked, and undoes the last backed-up run', async () => {
    const runner = await PlanRunner.load(counterPlan(10), await getDefaultDevice(), { backup: true });
    try {
      const first = runner.submit({}, { readStates: true });
      expect(first.run).toBe(1);
      expect((await first.handle.read('next')).data[0]).toBe(11);
      expect((await first.states!.read()).count.data[0]).toBe(11);
      // No states copy unless asked for.
      expect(runner.submit({}).states).toBeUndefined();
      expect((await runner.copyStates()).count.data[0]).toBe(12);

      const undone = runner.submit({}, { backupStates: true });
      expect((await undone.handle.read('next')).data[0]).toBe(13);
      expect(runner.undoLastRun()).toBe(true);
      expect((await runner.readState('count')).data[0]).toBe(12);
      expect(runner.runCount).toBe(3);

      runner.writeState('count', Float32Array.of(-5));
      expect((await runner.submit({}).handle.read('next')).data[0]).toBe(-4);
      expect(() => runner.writeState('count', Int32Array.of(1))).toThrow(InputError);
      expect(() => runner.state('nope')).toThrow(/no state 'nope' \(states: count\)/);
    } finally {
      runner.release();
    }
  });

  it('without a backup, undoLastRun does nothing and says so', async () => {
    const runner = await PlanRunner.load(counterPlan(0), await getDefaultDevice());
    await runner.submit({}, { backupStates: true }).handle.read();
    expect(runner.undoLastRun()).toBe(false);
    expect((await runner.readState('count')).data[0]).toBe(1);
    runner.release();
  });

  it('rebuilds on a device with the given states and run count, keeping what it learned of the GPU time', async () => {
    const device = await getDefaultDevice();
    const before = device.allocatedBytes;
    const runner = await PlanRunner.load(counterPlan(0), device);
    for (let i = 0; i < 4; i++) await runner.submit({}).handle.read();
    const unread = runner.submit({});
    expect(runner.gpuTimeEstimateMs).toBeGreaterThan(0);
    const rebuilt = await runner.rebuildOn(device, { run: 7, states: { count: hostTensor('f32', [1], [41]) } });
    expect(rebuilt.gpuTimeEstimateMs).toBe(runner.gpuTimeEstimateMs);
    runner.release();
    expect(runner.released).toBe(true);
    expect(runner.allocatedBytes).toBe(0);
    // A handle of the released runner fails to read instead of mapping a destroyed buffer.
    await expect(unread.handle.read()).rejects.toThrow(UsageError);
    expect(() => runner.submit({})).toThrow(/disposed/);

    const next = rebuilt.submit({});
    expect(next.run).toBe(8);
    expect((await next.handle.read('next')).data[0]).toBe(42);
    // Without states to restore, the plan's initial values.
    const fresh = await rebuilt.rebuildOn(device, { run: 0, states: undefined });
    expect((await fresh.readState('count')).data[0]).toBe(0);
    fresh.release();
    rebuilt.release();
    expect(device.allocatedBytes).toBe(before);
  });

  it('computes what the plan computes, with many runs in flight', async () => {
    const n = 300;
    const runner = await PlanRunner.load(addPlan(n), await getDefaultDevice());
    const cases = Array.from({ length: 8 }, (_, k) => ({ a: seeded(n, 2 * k + 1), b: seeded(n, 2 * k + 2) }));
    const handles = cases.map((inputs) => runner.submit(inputs).handle);
    const results = await Promise.all(handles.map((h) => h.read('out')));
    results.forEach((out, k) => expect(Array.from(out.data)).toEqual(Array.from(cases[k].a, (a, i) => Math.fround(a + cases[k].b[i]))));
    runner.release();
  });
});

describe('the runtime core for a browser bundle', () => {
  it('reaches no Node built-in from Executable: its only import outside the repository is webgpu, in platform/gpu.ts', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const external = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        if (fileName.startsWith('.')) visit(resolve(dirname(file), fileName.replace(/\.js$/, '.ts')));
        else external.add(`${relative(root, file)} -> ${fileName}`);
      }
    };
    visit(join(root, 'runtime/executable.ts'));
    expect(seen.size).toBeGreaterThan(10); // the walk did follow the imports
    // platform/gpu.ts obtains WebGPU through dawn.node (npm webgpu): Node-only by nature, and
    // the one module the browser bundle swaps (test/browser/bundle.test.ts builds that bundle).
    expect([...external]).toEqual(['runtime/platform/gpu.ts -> webgpu']);
  });
});
