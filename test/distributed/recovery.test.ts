import { describe, expect, it } from 'vitest';
import { compileDataParallel } from '../../compiler/parallel/data_parallel.js';
import { compilePipeline } from '../../compiler/parallel/pipeline.js';
import { DeviceError } from '../../ir/index.js';
import { fitInProcess } from '../../runtime/distributed/fit_in_process.js';
import { bits, dataset, mlpSpec } from './fixtures.js';

/**
 * A device lost on one rank (GPUDevice.destroy(), as a driver reset would): every rank hears
 * of it through the step's status, the lost rank moves to a new device, every rank restores the
 * snapshot of the last multiple of `snapshotEvery` and replays; the run ends bit for bit where
 * an uninterrupted run ends.
 */
const TIMEOUT = 600_000;
const options = { epochs: 1, seed: 2, maxSteps: 12, snapshotEvery: 5 };

describe('device loss on one rank', () => {
  it('data parallel: rank 1 loses its device in step 7; every rank resumes from step 5 and ends bit-identical', async () => {
    const program = compileDataParallel(mlpSpec(4), { devices: 3, bucketBytes: 512 });
    const interrupted = await fitInProcess(program, dataset, { ...options, deviceLoss: [{ rank: 1, step: 7 }] });
    expect(interrupted.recoveries).toEqual([{ step: 7, ranks: [1], restoredStep: 5, message: 'rank 1: the GPU device was lost during step 7; every rank resumed from the snapshot of step 5' }]);
    // Every rank recorded the same recovery.
    for (const r of interrupted.ranks) expect(r.recoveries).toEqual(interrupted.recoveries);
    const uninterrupted = await fitInProcess(program, dataset, options);
    expect(Number(interrupted.states.step.data[0])).toBe(12);
    for (const name of Object.keys(uninterrupted.states)) expect(bits(interrupted.states[name]), name).toEqual(bits(uninterrupted.states[name]));
  }, TIMEOUT);

  it('pipeline: the last stage loses its device in step 4; both stages resume and end bit-identical', async () => {
    const program = compilePipeline(mlpSpec(4), { stages: 2, microBatches: 4 });
    const interrupted = await fitInProcess(program, dataset, { ...options, deviceLoss: [{ rank: 1, step: 4 }] });
    expect(interrupted.recoveries.map((r) => [r.step, r.ranks, r.restoredStep])).toEqual([[4, [1], 0]]);
    const uninterrupted = await fitInProcess(program, dataset, options);
    for (const name of Object.keys(uninterrupted.states)) expect(bits(interrupted.states[name]), name).toEqual(bits(uninterrupted.states[name]));
  }, TIMEOUT);

  it("with onDeviceLost: 'throw', the run fails with a DeviceError naming the rank", async () => {
    const program = compileDataParallel(mlpSpec(4), { devices: 2 });
    const run = fitInProcess(program, dataset, { ...options, onDeviceLost: 'throw', deviceLoss: [{ rank: 1, step: 3 }] });
    await expect(run).rejects.toThrow(DeviceError);
    await expect(run).rejects.toThrow('rank 1: the GPU device was lost during step 3');
  }, TIMEOUT);
});
