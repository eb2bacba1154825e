import { setTimeout as sleep } from 'node:timers/promises';
import { DataError } from '../../../ir/errors.js';
import type { Communicator } from '../../../runtime/distributed/communicator.js';
import { rng } from '../../helpers/random.js';

/** Rank functions the collective tests run in worker threads (one per rank). */

/** Rank r's values for an all-reduce: seeded by (seed, rank), spread over several magnitudes. */
export function rankValues(seed: number, rank: number, length: number): Float32Array {
  const next = rng(seed * 131 + rank);
  return Float32Array.from({ length }, () => (next() - 0.5) * 10 ** Math.floor(next() * 6 - 3));
}

export async function allReduceRank(comm: Communicator, input: { seed: number; lengths: number[] }): Promise<{ sum: Float32Array[]; mean: Float32Array[]; again: Float32Array[] }> {
  const sum: Float32Array[] = [];
  const mean: Float32Array[] = [];
  const again: Float32Array[] = [];
  for (const length of input.lengths) {
    const a = rankValues(input.seed, comm.rank, length);
    await comm.allReduce(a, 'sum');
    sum.push(a);
    const m = rankValues(input.seed, comm.rank, length);
    await comm.allReduce(m, 'mean');
    mean.push(m);
    const b = rankValues(input.seed, comm.rank, length);
    await comm.allReduce(b);
    again.push(b);
  }
  return { sum, mean, again };
}

export async function broadcastRank(comm: Communicator, input: { root: number; bytes: number }): Promise<Uint8Array> {
  const data = new Uint8Array(input.bytes);
  if (comm.rank === input.root) for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 255;
  await comm.broadcast(data, input.root);
  return data;
}

/** A ring: each rank sends `bytes` to the next rank (tag = its rank) while receiving from the previous one. */
export async function ringRank(comm: Communicator, input: { bytes: number; rounds: number }): Promise<number[]> {
  const next = (comm.rank + 1) % comm.size;
  const previous = (comm.rank + comm.size - 1) % comm.size;
  const checksums: number[] = [];
  for (let round = 0; round < input.rounds; round++) {
    const out = Float64Array.from({ length: input.bytes / 8 }, (_, i) => comm.rank * 1e6 + round * 1e3 + i);
    const got = new Float64Array(input.bytes / 8);
    // Posted together: a rank that waited for its send first would need the receiver to drain it.
    await Promise.all([comm.send(out, next, round), comm.recv(got, previous, round)]);
    checksums.push(got.every((v, i) => v === previous * 1e6 + round * 1e3 + i) ? got.length : -1);
  }
  return checksums;
}

/** Rank 0 arrives late; everyone reports how long the barrier held them. */
/**
 * When the rank arrived at the barrier and when it left, in ms since the epoch (each worker
 * thread has its own `performance.timeOrigin`; the sum is comparable across them). Rank 0
 * arrives 300 ms late.
 */
export async function barrierRank(comm: Communicator): Promise<{ arrived: number; left: number }> {
  if (comm.rank === 0) await sleep(300);
  const arrived = performance.timeOrigin + performance.now();
  await comm.barrier();
  return { arrived, left: performance.timeOrigin + performance.now() };
}

/** Rank `failing` throws a DataError after one barrier; the others go on to an all-reduce. */
export async function failingRank(comm: Communicator, input: { failing: number }): Promise<string> {
  await comm.barrier();
  if (comm.rank === input.failing) {
    await sleep(100);
    throw new DataError(`rank ${comm.rank} could not read its shard`);
  }
  await comm.allReduce(new Float32Array(8));
  return 'finished';
}

/** Rank 0 reduces one value more than the others. */
export async function mismatchedRank(comm: Communicator): Promise<void> {
  await comm.allReduce(new Float32Array(comm.rank === 0 ? 11 : 10));
}

/** Rank 1 waits for a message nobody sends. */
export async function silentRank(comm: Communicator): Promise<void> {
  if (comm.rank === 1) await comm.recv(new Uint8Array(4), 0, 9);
  else await sleep(2000);
}
