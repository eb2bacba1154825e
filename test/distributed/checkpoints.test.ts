import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileParallelTraining } from '../../compiler/parallel/index.js';
import { compileTraining } from '../../compiler/train/index.js';
import type { HostTensor } from '../../ir/index.js';
import { getDefaultDevice, readCheckpoint, writeCheckpoint } from '../../runtime/index.js';
import { fitInProcess } from '../../runtime/distributed/fit_in_process.js';
import { epochOrder, Trainer } from '../../runtime/training/index.js';
import { FEATURES } from '../train/fixtures.js';
import { dataset, GLOBAL_BATCH, mlpSpec, PARAMETERS, relativeDifference } from './fixtures.js';

/**
 * Checkpoints carry single-device names: 10 steps on 2 pipeline stages, saved, loaded into a
 * single-device Trainer, 10 more steps there; and 10 single-device steps resumed by 2
 * data-parallel ranks. Both end where 20 single-device steps end (within 1e-5).
 */
const SEED = 9;
const DATA_SEED = 4;
const TIMEOUT = 600_000;

async function singleDevice(): Promise<Trainer> {
  const device = await getDefaultDevice();
  return Trainer.load(compileTraining({ ...mlpSpec(SEED), limits: device.limits }), device);
}

/** Single-device steps [from, to) of epoch 0 in the fit loop's data order. */
async function steps(trainer: Trainer, from: number, to: number): Promise<void> {
  const order = epochOrder(dataset.size, DATA_SEED, 0, true);
  const x = new Float32Array(GLOBAL_BATCH * FEATURES);
  const y = new Int32Array(GLOBAL_BATCH);
  for (let s = from; s < to; s++) {
    await dataset.read(order.slice(s * GLOBAL_BATCH, (s + 1) * GLOBAL_BATCH), x, y);
    await trainer.step(x, y).loss();
  }
}

async function roundTrip(states: Record<string, HostTensor>, step: number): Promise<Record<string, HostTensor>> {
  const path = join(mkdtempSync(join(tmpdir(), 'dawnflow-parallel-ckpt-')), 'model.safetensors');
  await writeCheckpoint(path, states, { plan: 'parallel', step, prngState: null, extra: {} });
  const { info, states: read } = await readCheckpoint(path);
  expect(info.step).toBe(step);
  return Object.fromEntries(read);
}

describe('checkpoints between parallel and single-device runs', () => {
  it('rank 0 writes the gathered states as an atomic checkpoint every few steps', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dawnflow-parallel-ckpt-')), 'run.safetensors');
    const program = compileParallelTraining(mlpSpec(SEED), { devices: 3, strategy: 'pipeline', microBatches: 4 });
    const result = await fitInProcess(program, dataset, { epochs: 1, seed: DATA_SEED, maxSteps: 7, checkpoint: { path, every: 5 } });
    const { info, states } = await readCheckpoint(path);
    // Written at step 5, then at the end (step 7); the previous one kept beside it.
    expect(info.step).toBe(7);
    expect((await readCheckpoint(`${path}.prev`)).info.step).toBe(5);
    expect([...states.keys()].sort()).toEqual(Object.keys(result.states).sort());
    for (const [name, t] of states) expect(Array.from(t.data), name).toEqual(Array.from(result.states[name].data));
  }, TIMEOUT);

  it('a parallel checkpoint continues on one device, and a single-device one on several, both as if uninterrupted', async () => {
    const reference = await singleDevice();
    await steps(reference, 0, 20);
    const expected = await reference.parameters();
    reference.dispose();

    // Parallel first: 2 pipeline stages for 10 steps, then one device.
    const pipeline = await fitInProcess(compileParallelTraining(mlpSpec(SEED), { devices: 2, strategy: 'pipeline', microBatches: 4 }), dataset, { epochs: 1, seed: DATA_SEED, maxSteps: 10 });
    const trainer = await singleDevice();
    trainer.restore(await roundTrip(pipeline.states, 10));
    expect(trainer.steps).toBe(10);
    await steps(trainer, 10, 20);
    const continued = await trainer.parameters();
    trainer.dispose();
    for (const name of PARAMETERS) expect(relativeDifference(continued[name], expected[name]), name).toBeLessThan(1e-5);

    // One device first for 10 steps, then 2 data-parallel ranks from the checkpoint.
    const first = await singleDevice();
    await steps(first, 0, 10);
    const saved = await roundTrip(await first.snapshot(), 10);
    first.dispose();
    const resumed = await fitInProcess(compileParallelTraining(mlpSpec(SEED), { devices: 2, strategy: 'data' }), dataset, {
      epochs: 1,
      seed: DATA_SEED,
      initialStates: saved,
      startStep: 10,
    });
    expect(resumed.ranks[0].steps).toBe(20);
    for (const name of PARAMETERS) expect(relativeDifference(resumed.states[name], expected[name]), name).toBeLessThan(1e-5);
  }, TIMEOUT);
});
