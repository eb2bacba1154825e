/**
 * One rank of a parallel training job under mpirun: the same per-rank entry (`trainRank`) the
 * in-process launcher runs in worker threads, here with the MPI communicator. Every rank
 * compiles the same program from the same seed; rank 0 writes the final states as JSON.
 *
 *   train_mpi.ts <data|pipeline> <out.json>
 */
import { writeFileSync } from 'node:fs';
import { compileParallelTraining } from '../../../compiler/parallel/index.js';
import { MpiCommunicator } from '../../../runtime/distributed/mpi_communicator.js';
import { trainRank } from '../../../runtime/distributed/train_rank.js';
import { dataset, mlpSpec } from '../fixtures.js';

const [strategy, out] = process.argv.slice(2);
const comm = await MpiCommunicator.create();
const program = compileParallelTraining(mlpSpec(6), { devices: comm.size, strategy: strategy === 'pipeline' ? 'pipeline' : 'data', microBatches: 4, bucketBytes: 512 });
const result = await trainRank(comm, {
  program,
  train: { x: dataset.x, y: dataset.y, inputElements: dataset.inputElements, targetElements: dataset.targetElements },
  options: { epochs: 1, seed: 8, maxSteps: 10 },
});
if (comm.rank === 0) writeFileSync(out, JSON.stringify(Object.fromEntries(Object.entries(result.states!).map(([name, t]) => [name, [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)]]))));
await comm.close();
