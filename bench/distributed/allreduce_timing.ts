import type { Communicator } from '../../runtime/distributed/communicator.js';
import { upperMedian } from '../measure.js';

/**
 * The all-reduce measurement of the distributed bench, the same code on either communicator:
 * for each bucket size the median time of several all-reduces (sum), each after a barrier.
 * Under mpirun each rank is a process (bench/distributed/allreduce_rank.ts); in process each
 * rank is a worker thread (`allReduceInProcessRank`, run by launchInProcess).
 */

export type AllReduceImpl = 'rank-order' | 'MPI_Allreduce' | 'in-process';

export interface AllReduceFigure {
  readonly ranks: number;
  readonly mib: number;
  readonly impl: AllReduceImpl;
  readonly runs: number;
  readonly medianMs: number;
}


/** Times `reduce` (one implementation's all-reduce of `data`) for each size; figures on rank 0 only. */
export async function timeAllReduce(
  comm: Communicator,
  sizes: readonly number[],
  budgetMs: number,
  impls: readonly { readonly impl: AllReduceImpl; readonly reduce: (data: Float32Array) => Promise<void> }[],
): Promise<AllReduceFigure[]> {
  const figures: AllReduceFigure[] = [];
  for (const mib of sizes) {
    const data = new Float32Array((mib * 2 ** 20) / 4).map((_, i) => ((i * 7 + comm.rank) % 13) / 13);
    for (const { impl, reduce } of impls) {
      const once = async () => {
        await comm.barrier();
        const start = performance.now();
        await reduce(data);
        return performance.now() - start;
      };
      const warm = await once();
      // Rank 0 picks the run count; every rank must make the same number of calls.
      const runs = new Int32Array([Math.max(3, Math.min(30, Math.floor(budgetMs / Math.max(warm, 1e-3))))]);
      await comm.broadcast(runs, 0);
      const times: number[] = [];
      for (let r = 0; r < runs[0]; r++) times.push(await once());
      if (comm.rank === 0) figures.push({ ranks: comm.size, mib, impl, runs: runs[0], medianMs: upperMedian(times) });
    }
  }
  return figures;
}

/** The in-process communicator's figures (a worker thread per rank). */
export function allReduceInProcessRank(comm: Communicator, input: { readonly sizes: number[]; readonly budgetMs: number }): Promise<AllReduceFigure[]> {
  return timeAllReduce(comm, input.sizes, input.budgetMs, [{ impl: 'in-process', reduce: (data) => comm.allReduce(data, 'sum') }]);
}
