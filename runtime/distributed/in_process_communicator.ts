import { CommunicationError, UsageError } from '../../ir/errors.js';
import { type Bytes, type Communicator, type ReduceOp, reduceInOrder } from './communicator.js';
import { ABORT, abortReason, abortWorld, mailboxHeader, SEQ, type SharedWorld, sizeWord } from './shared_world.js';

/**
 * The in-process Communicator: ranks are worker threads of one process, each with its own
 * device, exchanging through the SharedArrayBuffers of a SharedWorld. Waiting is
 * `Atomics.waitAsync`, so a waiting rank's event loop (and Dawn's callbacks) keeps running.
 *
 * allReduce is a reduce-scatter then an all-gather over shared slots: every rank copies its
 * chunk into its slot, each sums its own slice of the chunk over all slots in rank order (in
 * f64, rounded once to f32), then every rank copies every slice back. So every rank ends with
 * the same bits, and a rerun with the same inputs gives them again.
 */

const EMPTY = 0;
const FULL = 1;

type Waited = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t?: number): Waited }).waitAsync;

export class InProcessCommunicator implements Communicator {
  readonly rank: number;
  readonly size: number;
  readonly localRank: number;
  readonly localSize: number;
  readonly kind = 'in-process';
  readonly #world: SharedWorld;
  readonly #control: Int32Array;
  #generation = 0;
  #collectives = 0;
  #closed = false;
  /** Collectives run one at a time, in call order; sends per destination and receives per source too. */
  #collectiveChain: Promise<unknown> = Promise.resolve();
  readonly #sendChains = new Map<number, Promise<unknown>>();
  readonly #recvChains = new Map<number, Promise<unknown>>();

  constructor(world: SharedWorld, rank: number) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= world.size) throw new UsageError(`rank ${rank} is not in [0, ${world.size})`);
    this.#world = world;
    this.#control = new Int32Array(world.control);
    this.rank = rank;
    this.size = world.size;
    this.localRank = rank;
    this.localSize = world.size;
  }

  allReduce(data: Float32Array, op: ReduceOp = 'sum'): Promise<void> {
    return this.#collective(`allReduce(${op}) of ${data.length} values`, () => this.#allReduce(data, op));
  }

  broadcast(data: Bytes, root: number): Promise<void> {
    this.#checkRank(root, 'broadcast root');
    return this.#collective(`broadcast of ${data.byteLength} bytes from rank ${root}`, async (what) => {
      const bytes = viewBytes(data);
      const slotBytes = 4 * this.#world.chunkElements;
      Atomics.store(this.#control, sizeWord(this.#world, this.rank), bytes.length);
      for (let offset = 0; offset < bytes.length || offset === 0; offset += slotBytes) {
        const n = Math.min(slotBytes, bytes.length - offset);
        const slot = new Uint8Array(this.#world.collective, this.#slotOffset(root), n);
        if (this.rank === root) slot.set(bytes.subarray(offset, offset + n));
        await this.#barrier(what);
        if (offset === 0) this.#checkSizes(what, bytes.length);
        if (this.rank !== root) bytes.set(slot, offset);
        this.#collectives++;
        if (bytes.length === 0) break;
      }
    });
  }

  barrier(): Promise<void> {
    return this.#collective('barrier', (what) => this.#barrier(what));
  }

  send(data: Bytes, to: number, tag = 0): Promise<void> {
    this.#checkRank(to, 'send destination');
    return this.#chained(this.#sendChains, to, () => this.#send(viewBytes(data), to, tag));
  }

  recv(data: Bytes, from: number, tag = 0): Promise<void> {
    this.#checkRank(from, 'recv source');
    return this.#chained(this.#recvChains, from, () => this.#recv(viewBytes(data), from, tag));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Fails the whole job on behalf of this rank: every waiting rank gets a CommunicationError. */
  abort(reason: string): void {
    abortWorld(this.#world, this.rank, reason);
  }

  #collective(what: string, run: (what: string) => Promise<void>): Promise<void> {
    this.#assertOpen(what);
    const next = this.#collectiveChain.then(() => run(what));
    this.#collectiveChain = next.catch(() => undefined);
    return next;
  }

  #chained(chains: Map<number, Promise<unknown>>, peer: number, run: () => Promise<void>): Promise<void> {
    this.#assertOpen(chains === this.#sendChains ? `send to rank ${peer}` : `recv from rank ${peer}`);
    const next = (chains.get(peer) ?? Promise.resolve()).then(run);
    chains.set(peer, next.catch(() => undefined));
    return next;
  }

  async #allReduce(data: Float32Array, op: ReduceOp): Promise<void> {
    const what = `allReduce(${op}) of ${data.length} values`;
    const { size, chunkElements } = this.#world;
    Atomics.store(this.#control, sizeWord(this.#world, this.rank), data.length);
    // An empty reduction still meets the others once, so a rank that disagrees on the size finds out.
    for (let offset = 0; offset < data.length || offset === 0; offset += chunkElements) {
      const n = Math.min(chunkElements, data.length - offset);
      const slot = (r: number) => new Float32Array(this.#world.collective, this.#slotOffset(r), n);
      const mine = slot(this.rank);
      mine.set(data.subarray(offset, offset + n));
      await this.#barrier(what);
      if (offset === 0) this.#checkSizes(what, data.length);
      const slots = Array.from({ length: size }, (_, r) => slot(r));
      const [lo, hi] = sliceOf(n, size, this.rank);
      reduceInOrder(slots, mine, op, lo, hi);
      await this.#barrier(what);
      for (let r = 0; r < size; r++) {
        const [a, b] = sliceOf(n, size, r);
        data.set(slots[r].subarray(a, b), offset + a);
      }
      this.#collectives++;
      if (data.length === 0) break;
    }
  }

  /** Every rank read the others' sizes between the same two barriers: all agree, or all throw. */
  #checkSizes(what: string, n: number): void {
    for (let r = 0; r < this.size; r++) {
      const theirs = Atomics.load(this.#control, sizeWord(this.#world, r));
      if (theirs !== n) throw new CommunicationError(`rank ${this.rank}: ${what}: rank ${r} gave ${theirs}; every rank must give the same size`);
    }
  }

  /** Slots alternate between two buffers, collective by collective (see SharedWorld). */
  #slotOffset(rank: number): number {
    const buffer = this.#collectives & 1;
    return 4 * (buffer * this.size + rank) * this.#world.chunkElements;
  }

  /** Every rank raises its counter to the next generation, then waits for all the others to reach it. */
  async #barrier(what: string): Promise<void> {
    const generation = ++this.#generation;
    Atomics.store(this.#control, SEQ + this.rank, generation);
    Atomics.notify(this.#control, SEQ + this.rank);
    const deadline = performance.now() + this.#world.timeoutMs;
    for (let r = 0; r < this.size; r++) {
      await this.#waitUntil(SEQ + r, (v) => v - generation >= 0, deadline, () => `${what}: waiting for rank ${r}`);
    }
  }

  async #send(bytes: Uint8Array, to: number, tag: number): Promise<void> {
    const header = mailboxHeader(this.#world, this.rank, to);
    const box = new Uint8Array(this.#world.mailboxes, this.#world.mailboxBytes * (this.rank * this.size + to), this.#world.mailboxBytes);
    const what = `send of ${bytes.length} bytes to rank ${to} (tag ${tag})`;
    const deadline = performance.now() + this.#world.timeoutMs;
    for (let offset = 0; offset < bytes.length || offset === 0; offset += box.length) {
      await this.#waitUntil(header, (v) => v === EMPTY, deadline, () => `${what}: waiting for rank ${to} to take the previous message`);
      const n = Math.min(box.length, bytes.length - offset);
      box.set(bytes.subarray(offset, offset + n));
      Atomics.store(this.#control, header + 1, n);
      Atomics.store(this.#control, header + 2, tag);
      Atomics.store(this.#control, header + 3, bytes.length);
      Atomics.store(this.#control, header, FULL);
      Atomics.notify(this.#control, header);
      if (bytes.length === 0) break;
    }
  }

  async #recv(bytes: Uint8Array, from: number, tag: number): Promise<void> {
    const header = mailboxHeader(this.#world, from, this.rank);
    const box = new Uint8Array(this.#world.mailboxes, this.#world.mailboxBytes * (from * this.size + this.rank), this.#world.mailboxBytes);
    const what = `recv of ${bytes.length} bytes from rank ${from} (tag ${tag})`;
    const deadline = performance.now() + this.#world.timeoutMs;
    for (let offset = 0; offset < bytes.length || offset === 0; ) {
      await this.#waitUntil(header, (v) => v === FULL, deadline, () => `${what}: waiting for rank ${from} to send`);
      const n = Atomics.load(this.#control, header + 1);
      const sentTag = Atomics.load(this.#control, header + 2);
      const total = Atomics.load(this.#control, header + 3);
      if (sentTag !== tag || total !== bytes.length) {
        const error = new CommunicationError(`rank ${this.rank}: ${what}: rank ${from} sent ${total} bytes with tag ${sentTag}`);
        this.abort(error.message);
        throw error;
      }
      bytes.set(box.subarray(0, n), offset);
      Atomics.store(this.#control, header, EMPTY);
      Atomics.notify(this.#control, header);
      offset += n;
      if (bytes.length === 0) break;
    }
  }

  /** Waits until `ready(control[index])`, without blocking the event loop; a CommunicationError on abort or timeout. */
  async #waitUntil(index: number, ready: (value: number) => boolean, deadline: number, what: () => string): Promise<void> {
    for (;;) {
      this.#checkAbort(what);
      const value = Atomics.load(this.#control, index);
      if (ready(value)) return;
      const left = deadline - performance.now();
      if (left <= 0) throw new CommunicationError(`rank ${this.rank}: ${what()}: no answer after ${Math.round(this.#world.timeoutMs / 1000)} s`);
      const waited = waitAsync(this.#control, index, value, left);
      if (waited.async) await waited.value;
    }
  }

  #checkAbort(what: () => string): void {
    if (Atomics.load(this.#control, ABORT) === 0) return;
    const cause = abortReason(this.#world);
    const who = cause && cause.rank >= 0 ? `rank ${cause.rank} failed` : 'the job was aborted';
    throw new CommunicationError(`rank ${this.rank}: ${what()}: ${who}${cause?.reason ? ` (${cause.reason})` : ''}`);
  }

  #checkRank(rank: number, what: string): void {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.size) throw new UsageError(`rank ${this.rank}: ${what} ${rank} is not a rank of this job (0..${this.size - 1})`);
    if (rank === this.rank && what !== 'broadcast root') throw new UsageError(`rank ${this.rank}: ${what} is this rank itself`);
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new UsageError(`rank ${this.rank}: ${what} on a closed communicator`);
  }
}

/** Rank r's share [lo, hi) of n elements split as evenly as possible. */
export function sliceOf(n: number, size: number, rank: number): [number, number] {
  const base = Math.floor(n / size);
  const extra = n % size;
  const lo = rank * base + Math.min(rank, extra);
  return [lo, lo + base + (rank < extra ? 1 : 0)];
}

function viewBytes(data: Bytes): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
