import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { compileParallelTraining } from '../../compiler/parallel/index.js';
import { fitInProcess } from '../../runtime/distributed/fit_in_process.js';
import { bits, dataset, mlpSpec } from './fixtures.js';
import { describeMpi, mpirun, tsNode } from './mpi/mpi_test_env.js';

/**
 * The per-rank code knows nothing of its communicator: the same `trainRank` under mpirun (one
 * process per rank, MpiCommunicator) ends with the bits of the in-process run (one worker
 * thread per rank). With 2 ranks both communicators' sums round once, so the bits agree.
 */
const TIMEOUT = 600_000;

describeMpi('parallel training over MPI', () => {
  for (const strategy of ['data', 'pipeline'] as const) {
    it(`${strategy === 'data' ? 'data parallel' : 'a 2-stage pipeline'} on 2 MPI ranks gives the in-process run's bits`, async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'dawnflow-mpi-train-')), 'states.json');
      const job = await mpirun(2, tsNode('test/distributed/programs/train_mpi.ts', strategy, out));
      expect(job.code, job.stderr.slice(-2000)).toBe(0);
      const overMpi = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number[]>;
      const program = compileParallelTraining(mlpSpec(6), { devices: 2, strategy, microBatches: 4, bucketBytes: 512 });
      const inProcess = await fitInProcess(program, dataset, { epochs: 1, seed: 8, maxSteps: 10 });
      expect(Object.keys(overMpi).sort()).toEqual(Object.keys(inProcess.states).sort());
      for (const [name, t] of Object.entries(inProcess.states)) expect(overMpi[name], name).toEqual(bits(t));
    }, TIMEOUT);
  }
});
