/**
 * One rank of the all-reduce bench (run by mpirun from bench/distributed/run.ts): for each bucket
 * size, dawnflow's rank-order all-reduce (MpiCommunicator) and Open MPI's own MPI_Iallreduce,
 * median time of several runs, each after a barrier. Rank 0 prints one JSON line per figure.
 *
 *   allreduce_rank.ts <MiB,MiB,...> <budget ms per figure>
 */
import { loadMpiAddon } from '../../runtime/distributed/mpi_addon.js';
import { MpiCommunicator } from '../../runtime/distributed/mpi_communicator.js';

export interface AllReduceFigure {
  readonly ranks: number;
  readonly mib: number;
  readonly impl: 'rank-order' | 'MPI_Allreduce';
  readonly runs: number;
  readonly medianMs: number;
}

const sizes = process.argv[2].split(',').map(Number);
const budgetMs = Number(process.argv[3]);
const comm = await MpiCommunicator.create();
const mpi = loadMpiAddon();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const mib of sizes) {
  const data = new Float32Array((mib * 2 ** 20) / 4).map((_, i) => ((i * 7 + comm.rank) % 13) / 13);
  for (const impl of ['rank-order', 'MPI_Allreduce'] as const) {
    const once = async () => {
      await comm.barrier();
      const start = performance.now();
      await (impl === 'rank-order' ? comm.allReduce(data) : mpi.allreduce(data, false, true));
      return performance.now() - start;
    };
    const warm = await once();
    // Rank 0 picks the run count; every rank must make the same number of calls.
    const runs = new Int32Array([Math.max(3, Math.min(30, Math.floor(budgetMs / Math.max(warm, 1e-3))))]);
    await comm.broadcast(runs, 0);
    const times: number[] = [];
    for (let r = 0; r < runs[0]; r++) times.push(await once());
    if (comm.rank === 0) {
      const figure: AllReduceFigure = { ranks: comm.size, mib, impl, runs: runs[0], medianMs: median(times) };
      console.log(JSON.stringify(figure));
    }
  }
}
await comm.close();
