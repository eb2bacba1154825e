/**
 * One rank of the all-reduce bench (run by mpirun from bench/distributed/run.ts): for each bucket
 * size, dawnflow's rank-order all-reduce (MpiCommunicator) and Open MPI's own MPI_Iallreduce,
 * median time of several runs, each after a barrier. Rank 0 prints one JSON line per figure.
 *
 *   allreduce_rank.ts <MiB,MiB,...> <budget ms per figure>
 */
import { loadMpiAddon } from '../../runtime/distributed/mpi_addon.js';
import { MpiCommunicator } from '../../runtime/distributed/mpi_communicator.js';
import { timeAllReduce } from './allreduce_timing.js';

const sizes = process.argv[2].split(',').map(Number);
const budgetMs = Number(process.argv[3]);
const comm = await MpiCommunicator.create();
const mpi = loadMpiAddon();

const figures = await timeAllReduce(comm, sizes, budgetMs, [
  { impl: 'rank-order', reduce: (data) => comm.allReduce(data) },
  { impl: 'MPI_Allreduce', reduce: async (data) => void (await mpi.allreduce(data, false, true)) },
]);
for (const figure of figures) console.log(JSON.stringify(figure));
await comm.close();
