import { describe, expect, it } from 'vitest';
import type { RecoveryEvent } from '../../runtime/index.js';
import { DeviceError, Executable, getDefaultDevice } from '../../runtime/index.js';
import { accumulate, accumulatorPlan, addConstantPlan, floatStepInput, initialAcc, momentumPlan, stepInput } from './plans.js';

/**
 * Device loss: `GPUDevice.destroy()` loses the device the way a driver reset or a GPU hang
 * would (Dawn resolves `device.lost` with reason 'destroyed'). The executable must move to a
 * new device and give the results an uninterrupted run gives.
 */

const N = 37;

function oracleAdd(x: Float32Array): number[] {
  return Array.from(x, (v, i) => Math.fround(v + i));
}

describe('device loss', () => {
  it('recovers between runs: re-creates pipelines, re-uploads constants, and moves the default device', async () => {
    const first = await getDefaultDevice();
    const before = first.allocatedBytes;
    const events: RecoveryEvent[] = [];
    const exe = await Executable.load(await addConstantPlan(N), first, { onRecovered: (e) => events.push(e) });
    const x = Float32Array.from({ length: N }, (_, i) => i * 0.5 - 3);
    for (let k = 0; k < 3; k++) expect(Array.from((await exe.run({ x })).out.data)).toEqual(oracleAdd(x));

    first.device.destroy();
    const after = await exe.run({ x });
    expect(Array.from(after.out.data)).toEqual(oracleAdd(x));
    expect(exe.recoveries).toBe(1);
    expect(exe.device).not.toBe(first);
    expect(events).toHaveLength(1);
    expect(events[0].reason).toMatch(/^destroyed/);
    expect(events[0].device).toBe(exe.device);
    // The old device's books are closed; the new default device is the one the executable moved to.
    expect(first.allocatedBytes).toBe(before);
    expect(await getDefaultDevice()).toBe(exe.device);
    // And it keeps working without further recoveries.
    for (let k = 0; k < 3; k++) expect(Array.from((await exe.run({ x })).out.data)).toEqual(oracleAdd(x));
    expect(exe.recoveries).toBe(1);
    exe.dispose();
    expect(exe.device.allocatedBytes).toBe(0);
  });

  it('retries a run whose device is lost while it is in flight, and shares one recovery among concurrent runs', async () => {
    const dev = await getDefaultDevice();
    const a = await Executable.load(await addConstantPlan(N), dev);
    const b = await Executable.load(await addConstantPlan(N), dev);
    const xs = Array.from({ length: 20 }, (_, k) => Float32Array.from({ length: N }, (_, i) => k * 100 + i));
    await a.run({ x: xs[0] });
    const pending = xs.map((x, k) => (k % 2 === 0 ? a : b).run({ x }));
    dev.device.destroy();
    const results = await Promise.all(pending);
    results.forEach((r, k) => expect(Array.from(r.out.data)).toEqual(oracleAdd(xs[k])));
    // Both executables moved to the same new device.
    expect(a.device).toBe(b.device);
    expect(a.device).not.toBe(dev);
    expect(a.recoveries).toBe(1);
    a.dispose();
    b.dispose();
  });

  it('in a training-like loop with a snapshot every run, continues exactly as if nothing happened', async () => {
    const steps = 12;
    const exe = await Executable.load(await accumulatorPlan(N), undefined, { snapshotEvery: 1 });
    const outputs: Int32Array[] = [];
    for (let s = 0; s < steps; s++) {
      if (s === 5) exe.device.device.destroy(); // between two runs
      if (s === 9) {
        // while the run is in flight
        const pending = exe.run({ x: stepInput(N, s) });
        exe.device.device.destroy();
        outputs.push((await pending).acc_out.data as Int32Array);
        continue;
      }
      outputs.push((await exe.run({ x: stepInput(N, s) })).acc_out.data as Int32Array);
    }
    expect(exe.recoveries).toBe(2);
    const xs = Array.from({ length: steps }, (_, s) => stepInput(N, s));
    outputs.forEach((out, s) => expect(Array.from(out), `step ${s}`).toEqual(Array.from(accumulate(initialAcc(N), xs.slice(0, s + 1)))));
    expect(Array.from((await exe.readState('acc')).data)).toEqual(Array.from(accumulate(initialAcc(N), xs)));
    expect((await exe.readState('steps')).data[0]).toBe(steps);
    expect(exe.runCount).toBe(steps);
    exe.dispose();
  });

  it('in a float training loop (momentum SGD), the losses after a loss of the device are bit for bit those of an uninterrupted run', async () => {
    const plan = await momentumPlan(N);
    const steps = 8;
    const reference = await Executable.load(plan);
    const expected: number[] = [];
    for (let s = 0; s < steps; s++) expected.push((await reference.run({ x: floatStepInput(N, s) })).loss.data[0]);
    reference.dispose();

    const exe = await Executable.load(plan, undefined, { snapshotEvery: 1 });
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const pending = exe.run({ x: floatStepInput(N, s) });
      if (s === 3) exe.device.device.destroy();
      losses.push((await pending).loss.data[0]);
    }
    expect(exe.recoveries).toBe(1);
    // f32 values read back from the GPU: equal numbers are equal bits.
    expect(losses).toEqual(expected);
    exe.dispose();
  });

  it('with a snapshot every 4 runs, restores the snapshot and continues from it with the retried run', async () => {
    const events: RecoveryEvent[] = [];
    const exe = await Executable.load(await accumulatorPlan(N), undefined, { snapshotEvery: 4, onRecovered: (e) => events.push(e) });
    const xs = Array.from({ length: 10 }, (_, s) => stepInput(N, s));
    for (let s = 0; s < 6; s++) await exe.run({ x: xs[s] });
    expect(exe.lastSnapshot?.run).toBe(4);
    expect(Array.from(exe.lastSnapshot!.states.acc.data)).toEqual(Array.from(accumulate(initialAcc(N), xs.slice(0, 4))));

    exe.device.device.destroy();
    const retried = await exe.run({ x: xs[6] });
    expect(events).toEqual([expect.objectContaining({ restoredRun: 4, lostRuns: 3 })]);
    // Runs 5 and 6 are gone with the device; the retried run applies its own input to the snapshot.
    const continuation = accumulate(initialAcc(N), [...xs.slice(0, 4), xs[6]]);
    expect(Array.from(retried.acc_out.data)).toEqual(Array.from(continuation));
    expect((await exe.readState('steps')).data[0]).toBe(5);
    expect(exe.runCount).toBe(5);
    // A loop that replays what was lost from `restoredRun` on (as a trainer would) gets the same
    // states as the uninterrupted run.
    exe.writeState('acc', exe.lastSnapshot!.states.acc);
    exe.writeState('steps', exe.lastSnapshot!.states.steps);
    for (let s = 4; s < 10; s++) await exe.run({ x: xs[s] });
    expect(Array.from((await exe.readState('acc')).data)).toEqual(Array.from(accumulate(initialAcc(N), xs)));
    exe.dispose();
  });

  it('without any snapshot restores the initial states; explicit snapshot() and writeState are kept', async () => {
    const events: RecoveryEvent[] = [];
    const exe = await Executable.load(await accumulatorPlan(N), undefined, { onRecovered: (e) => events.push(e) });
    const xs = Array.from({ length: 6 }, (_, s) => stepInput(N, s));
    for (let s = 0; s < 3; s++) await exe.run({ x: xs[s] });
    exe.device.device.destroy();
    await exe.run({ x: xs[3] });
    expect(events[0]).toMatchObject({ restoredRun: 0, lostRuns: 4 });
    expect(Array.from((await exe.readState('acc')).data)).toEqual(Array.from(accumulate(initialAcc(N), [xs[3]])));

    const snap = await exe.snapshot();
    expect(snap.run).toBe(1);
    expect(Array.from(snap.states.acc.data)).toEqual(Array.from(accumulate(initialAcc(N), [xs[3]])));
    // A write is journaled: a loss right after it (before any copy of the states made it home)
    // keeps it, laid over the snapshot.
    const written = new Int32Array(N).fill(5);
    exe.writeState('acc', written);
    written.fill(6); // the executable kept its own copy
    exe.device.device.destroy();
    await exe.run({ x: xs[4] });
    expect(events[1]).toMatchObject({ restoredRun: 1 });
    expect(Array.from((await exe.readState('acc')).data)).toEqual(Array.from(accumulate(new Int32Array(N).fill(5), [xs[4]])));
    exe.dispose();
  });

  it("dispatch() on a lost device throws a DeviceError; with onDeviceLost 'throw' run() does too; recover() moves it", async () => {
    const exe = await Executable.load(await addConstantPlan(N), undefined, { onDeviceLost: 'throw' });
    const x = new Float32Array(N);
    await exe.run({ x });
    const handle = exe.dispatch({ x });
    exe.device.device.destroy();
    await expect(handle.read()).rejects.toThrow(DeviceError);
    await expect(exe.run({ x })).rejects.toThrow(/the GPU device was lost \(destroyed\)/);
    expect(() => exe.dispatch({ x })).toThrow(DeviceError);
    await exe.recover();
    expect(Array.from((await exe.dispatch({ x }).read()).out.data)).toEqual(oracleAdd(x));
    exe.dispose();
  });
});
