/**
 * Runs under mpirun (test/distributed/mpi/collectives.test.ts): every collective and
 * point-to-point call of MpiCommunicator, its misuse, and whether the event loop keeps running
 * while a rank waits. Each rank writes what it got to <out>/rank<r>.json; the test checks it
 * against oracles of its own.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MpiCommunicator } from '../../../../runtime/distributed/mpi_communicator.js';
import { rankData, toBase64 } from './rank_data.js';

export const SUM_LENGTHS = [0, 1, 2, 7, 1000, 65537];
export const MEAN_LENGTH = 1001;
export const IN_FLIGHT_LENGTHS = [333, 4096, 100_003];
export const RING_BYTES = 1 << 20;

const out = process.argv[2];
const comm = await MpiCommunicator.create();
const { rank, size } = comm;
const results: Record<string, string> = {};
const errors: Record<string, { name: string; code: string; message: string }> = {};

async function expectFailure(name: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
    errors[name] = { name: 'none', code: 'none', message: 'did not fail' };
  } catch (e) {
    const err = e as Error & { code?: string };
    errors[name] = { name: err.name, code: err.code ?? '', message: err.message };
  }
}

// All-reduce, one at a time.
for (const n of SUM_LENGTHS) {
  const x = rankData(11, rank, n);
  await comm.allReduce(x, 'sum');
  results[`sum${n}`] = toBase64(x);
}
const m = rankData(12, rank, MEAN_LENGTH);
await comm.allReduce(m, 'mean');
results.mean = toBase64(m);

// Several in flight at once, over a SharedArrayBuffer too.
const inFlight = IN_FLIGHT_LENGTHS.map((n, i) => {
  const x = new Float32Array(new SharedArrayBuffer(n * 4));
  x.set(rankData(20 + i, rank, n));
  return x;
});
await Promise.all(inFlight.map((x) => comm.allReduce(x)));
inFlight.forEach((x, i) => (results[`inflight${i}`] = toBase64(x)));

// Broadcast from the last rank: bytes, a Float64Array, a DataView.
const bytes = new Uint8Array(300).map((_, i) => (rank === size - 1 ? (i * 7 + 3) & 255 : 0));
const doubles = new Float64Array(5).map((_, i) => (rank === size - 1 ? Math.PI * (i + 1) : -1));
const view = new DataView(new ArrayBuffer(12));
if (rank === size - 1) view.setUint32(4, 0xdeadbeef, true);
await comm.broadcast(bytes, size - 1);
await comm.broadcast(doubles, size - 1);
await comm.broadcast(view, size - 1);
results.bcastBytes = toBase64(bytes);
results.bcastDoubles = toBase64(doubles);
results.bcastView = toBase64(view);

// A ring: every rank sends 1 MiB right and receives from the left, both in flight (no deadlock).
const outgoing = new Uint8Array(RING_BYTES).map((_, i) => (i * 31 + rank) & 255);
const incoming = new Uint8Array(RING_BYTES);
await Promise.all([comm.send(outgoing, (rank + 1) % size, 9), comm.recv(incoming, (rank - 1 + size) % size, 9)]);
results.ring = toBase64(incoming.subarray(0, 64));
results.ringChecksum = String(incoming.reduce((s, v, i) => (s + v * ((i % 13) + 1)) % 1_000_000_007, 0));

// The event loop runs while rank 0 waits in a barrier the others join 500 ms late.
await comm.barrier();
let ticks = 0;
const ticker = setInterval(() => ticks++, 5);
if (rank !== 0) await new Promise((r) => setTimeout(r, 500));
const waitStart = performance.now();
await comm.barrier();
const waited = performance.now() - waitStart;
clearInterval(ticker);

// Ranks that disagree on a collective's size fail together, and the next collective works.
await expectFailure('mismatch', () => comm.allReduce(new Float32Array(10 + rank)));
const ones = new Float32Array(5).fill(1);
await comm.allReduce(ones);
results.afterMismatch = toBase64(ones);
await expectFailure('kindMismatch', () => (rank === 0 ? comm.barrier() : comm.broadcast(new Uint8Array(4), 0)));

// A receive whose buffer does not match the message.
if (size >= 2 && rank === 0) {
  await comm.send(new Uint8Array(8), 1, 5);
  await comm.send(new Uint8Array(16), 1, 6);
}
if (size >= 2 && rank === 1) {
  await expectFailure('recvShort', () => comm.recv(new Uint8Array(16), 0, 5));
  await expectFailure('recvTruncated', () => comm.recv(new Uint8Array(8), 0, 6));
}

// Misuse: typed errors, nothing sent.
await expectFailure('badRoot', () => comm.broadcast(new Uint8Array(1), size));
await expectFailure('badTag', () => comm.send(new Uint8Array(1), 0, -1));
await expectFailure('notFloat32', () => comm.allReduce(new Int32Array(4) as unknown as Float32Array));

// A peer that stops answering (DAWNFLOW_MPI_TIMEOUT_S=3 from the test): rank 1 waits for a
// message rank 0 sends only after 3.5 s; the receive fails at 3 s, and completes in MPI later.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (size >= 2 && rank === 1) {
  await expectFailure('timeout', () => comm.recv(new Uint8Array(4), 0, 12));
  await sleep(1000);
} else {
  await sleep(3500);
  if (rank === 0 && size >= 2) await comm.send(new Uint8Array(4), 1, 12);
}

await comm.barrier();
await comm.close();
await expectFailure('afterClose', () => comm.barrier());

writeFileSync(
  join(out, `rank${rank}.json`),
  JSON.stringify({ rank, size, localRank: comm.localRank, localSize: comm.localSize, library: comm.library, results, errors, ticks, waited }),
);
