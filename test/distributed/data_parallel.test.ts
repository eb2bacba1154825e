import { beforeAll, describe, expect, it } from 'vitest';
import { compileDataParallel } from '../../compiler/parallel/data_parallel.js';
import type { HostTensor } from '../../ir/index.js';
import { UsageError } from '../../ir/index.js';
import { fitInProcess } from '../../runtime/distributed/fit_in_process.js';
import { bits, dataset, mlpSpec, PARAMETERS, relativeDifference, singleDeviceStates } from './fixtures.js';

/**
 * Data parallelism on real devices (one worker thread and one lavapipe device per rank): after
 * 20 steps from the same seed over the same global batches, every parameter equals single-device
 * training within 1e-5 relative, and a second run gives the same bits.
 */
const SEED = 7;
/** Worker threads and lavapipe devices share the machine's 2 cores with everything else: generous. */
const TIMEOUT = 600_000;
const STEPS = 20;
let reference: Record<string, HostTensor>;

beforeAll(async () => {
  reference = await singleDeviceStates(mlpSpec(SEED), STEPS, 11);
}, TIMEOUT);

describe('data parallelism', () => {
  for (const devices of [2, 3, 4]) {
    it(`on ${devices} devices matches single-device training after ${STEPS} steps`, async () => {
      const program = compileDataParallel(mlpSpec(SEED), { devices, bucketBytes: 512 });
      expect(program.buckets.length).toBeGreaterThan(1);
      const result = await fitInProcess(program, dataset, { epochs: 1, seed: 11 });
      expect(result.ranks.map((r) => r.steps)).toEqual(Array(devices).fill(STEPS));
      expect(Number(result.states.step.data[0])).toBe(STEPS);
      for (const name of PARAMETERS) expect(relativeDifference(result.states[name], reference[name]), name).toBeLessThan(1e-5);
      // The parameters did move: the comparison is not between two initial states.
      expect(relativeDifference(result.states['layers.0.weight'], mlpSpec(SEED).model.initialize(SEED).parameters()[0].value)).toBeGreaterThan(1e-2);
      // Optimizer moments are kept on each rank and come out the same as single-device ones.
      expect(relativeDifference(result.states['layers.4.weight/adam.m'], reference['layers.4.weight/adam.m'])).toBeLessThan(1e-4);
      // The loss every rank reports is the global batch's.
      expect(result.history[0].loss).toBeGreaterThan(0);
    }, TIMEOUT);
  }

  it('a second run is bit-identical', async () => {
    const run = async () => (await fitInProcess(compileDataParallel(mlpSpec(SEED), { devices: 3, bucketBytes: 512 }), dataset, { epochs: 1, seed: 11 })).states;
    const [a, b] = [await run(), await run()];
    for (const name of Object.keys(a)) expect(bits(a[name]), name).toEqual(bits(b[name]));
  }, TIMEOUT);

  it('refuses a global batch the device count does not divide, naming both numbers', () => {
    expect(() => compileDataParallel(mlpSpec(SEED, { batchSize: 10 }), { devices: 4 })).toThrow(UsageError);
    expect(() => compileDataParallel(mlpSpec(SEED, { batchSize: 10 }), { devices: 4 })).toThrow(/global batch of 10 examples does not split evenly over 4/);
  });
});
