import type { Communicator } from '../runtime/distributed/communicator.js';
import { upperMedian } from './measure.js';

/** Rank entries of the parallel bench (run in worker threads by launchInProcess). */

export interface AllReduceTiming {
  readonly bytes: number;
  /** Median ms of one all-reduce (mean) on rank 0. */
  readonly ms: number;
  /** Median ms of a barrier right after it. */
  readonly barrierMs: number;
}

/** Times mean all-reduces of each size: a barrier first, then the median of `repeats`. */
export async function allReduceTimingRank(comm: Communicator, input: { sizes: number[]; repeats: number }): Promise<AllReduceTiming[]> {
  const out: AllReduceTiming[] = [];
  for (const bytes of input.sizes) {
    const data = new Float32Array(bytes / 4).fill(comm.rank + 1);
    await comm.allReduce(data, 'mean');
    const samples: number[] = [];
    const barriers: number[] = [];
    for (let i = 0; i < input.repeats; i++) {
      await comm.barrier();
      const t0 = performance.now();
      await comm.allReduce(data, 'mean');
      samples.push(performance.now() - t0);
      const t1 = performance.now();
      await comm.barrier();
      barriers.push(performance.now() - t1);
    }
    out.push({ bytes, ms: upperMedian(samples), barrierMs: upperMedian(barriers) });
  }
  return out;
}


/**
 * A rank's host work in an all-reduce of `n` ranks over `bytes`, without any waiting: copy its
 * values into its slot, sum its slice over the n slots (f64, rounded once), copy every slice
 * out. ms per byte, on this thread: the fastest of `repeats` (other processes share the cores;
 * the work itself is fixed).
 */
export function reduceWorkPerByte(n: number, bytes: number, repeats: number): number {
  const count = bytes / 4;
  const slots = Array.from({ length: n }, (_, r) => new Float32Array(count).fill(r + 1));
  const data = new Float32Array(count).fill(1);
  const samples: number[] = [];
  for (let k = 0; k < repeats + 1; k++) {
    const t0 = performance.now();
    slots[0].set(data);
    const lo = 0;
    const hi = Math.ceil(count / n);
    for (let i = lo; i < hi; i++) {
      let sum = 0;
      for (let r = 0; r < n; r++) sum += slots[r][i];
      slots[0][i] = sum / n;
    }
    for (let r = 0; r < n; r++) data.set(slots[r].subarray(0, hi), 0);
    if (k > 0) samples.push(performance.now() - t0);
  }
  return Math.min(...samples) / bytes;
}
