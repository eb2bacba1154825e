/**
 * How ranks talk. One rank owns one device; a `Communicator` moves host memory between ranks.
 * Two implementations share this interface: in-process (one worker thread per rank, exchanging
 * through SharedArrayBuffer + Atomics) and Open MPI (one process per rank, an N-API addon).
 * Nothing above this interface (the trainer, data and pipeline parallelism) may know which one
 * it has.
 *
 * Every call is collective or paired as MPI's are: all ranks call `allReduce`/`broadcast`/
 * `barrier` in the same order with the same sizes; a `send` to r meets a `recv` from this rank
 * on r with the same tag. Calls return promises and never block the event loop (Dawn's callbacks
 * must keep running while a rank waits). Reductions are deterministic: each element is summed in
 * rank order, so a rerun with the same inputs gives the same bits.
 *
 * Failures are typed (`ir/errors.ts`): a peer that dies or stops answering is a
 * `CommunicationError` naming the rank and the operation, never a hang.
 */

export type ReduceOp = 'sum' | 'mean';

/** Any typed array over an ordinary or shared buffer: the bytes it views are what moves. */
export type Bytes = ArrayBufferView;

export interface Communicator {
  /** This rank, 0 ≤ rank < size. */
  readonly rank: number;
  /** Number of ranks in the job. */
  readonly size: number;
  /** This rank among the ranks on its host: picks the device (GPU) it uses. */
  readonly localRank: number;
  /** Ranks on this rank's host. */
  readonly localSize: number;
  /** What this is, for messages and reports ('in-process', 'mpi'). */
  readonly kind: string;

  /** Reduces `data` over all ranks in place (f32 elementwise); every rank ends with the same bits. */
  allReduce(data: Float32Array, op?: ReduceOp): Promise<void>;
  /** Overwrites `data` on every rank with the root's. */
  broadcast(data: Bytes, root: number): Promise<void>;
  /** Sends the bytes `data` views to rank `to`; resolves once they may be reused. */
  send(data: Bytes, to: number, tag?: number): Promise<void>;
  /** Receives exactly `data.byteLength` bytes from rank `from` into `data`. */
  recv(data: Bytes, from: number, tag?: number): Promise<void>;
  /** Resolves on every rank once every rank has called it. */
  barrier(): Promise<void>;
  /** Releases the communicator; further calls are a UsageError. Idempotent. */
  close(): Promise<void>;
}

/**
 * The all-reduce arithmetic every communicator shares: for i in [lo, hi), out[i] = the sum of
 * parts[0][i], parts[1][i], ... in that order in f64 (divided by parts.length for a mean),
 * rounded once to f32. MPI's engine (native/mpi/src/engine.cc) does the same, so every
 * implementation gives the same bits. `out` may be one of the parts.
 */
export function reduceInOrder(parts: readonly Float32Array[], out: Float32Array, op: ReduceOp, lo = 0, hi = out.length): void {
  // The usual rank counts get a loop of their own with the parts in locals: V8 keeps the generic
  // loop's inner iteration over `parts` (~14 ns an element, 0.6-0.9 GB/s, slower than MPI's
  // shared memory) where these run at memory speed. Same additions, same order: same bits.
  const mean = op === 'mean';
  const count = parts.length;
  if (count === 2) {
    const [a, b] = parts;
    for (let i = lo; i < hi; i++) {
      const sum = 0 + a[i] + b[i];
      out[i] = mean ? sum / count : sum;
    }
  } else if (count === 3) {
    const [a, b, c] = parts;
    for (let i = lo; i < hi; i++) {
      const sum = 0 + a[i] + b[i] + c[i];
      out[i] = mean ? sum / count : sum;
    }
  } else if (count === 4) {
    const [a, b, c, d] = parts;
    for (let i = lo; i < hi; i++) {
      const sum = 0 + a[i] + b[i] + c[i] + d[i];
      out[i] = mean ? sum / count : sum;
    }
  } else {
    for (let i = lo; i < hi; i++) {
      let sum = 0;
      for (let r = 0; r < count; r++) sum += parts[r][i];
      out[i] = mean ? sum / count : sum;
    }
  }
}
