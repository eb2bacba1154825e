import { UsageError } from '../../ir/errors.js';

/**
 * The shared memory of an in-process job: what every rank's InProcessCommunicator works in.
 * Created by the launcher and handed to each worker (SharedArrayBuffers are shared, not copied).
 *
 * control (Int32): [abort flag, failed rank, one barrier counter per rank, one collective
 *                   size per rank, then per ordered pair of ranks a mailbox header: state,
 *                   bytes, tag, total bytes]
 * reason (bytes):  the failed rank's message (UTF-8), for the others' errors
 * collective (f32): two buffers (consecutive collectives alternate) × one slot per rank ×
 *                   `chunkElements`
 * mailboxes (bytes): per ordered pair a buffer of `mailboxBytes`
 */
export interface SharedWorld {
  readonly size: number;
  readonly control: SharedArrayBuffer;
  readonly reason: SharedArrayBuffer;
  readonly collective: SharedArrayBuffer;
  readonly mailboxes: SharedArrayBuffer;
  readonly chunkElements: number;
  readonly mailboxBytes: number;
  /** How long a rank waits for the others in one operation before giving up. */
  readonly timeoutMs: number;
}

export interface WorldOptions {
  /** f32 elements per rank and chunk of an all-reduce (default 256 Ki: 1 MiB). */
  readonly chunkElements?: number;
  /** Bytes per chunk of a send (default 1 MiB). */
  readonly mailboxBytes?: number;
  /** Default 10 minutes: lavapipe steps are slow, and loading a model takes a while. */
  readonly timeoutMs?: number;
}

export const ABORT = 0;
export const FAILED_RANK = 1;
export const SEQ = 2;
/** Words per mailbox header. */
export const MAILBOX_WORDS = 4;
export const REASON_BYTES = 1024;

/** Where rank r posts the size of its current collective. */
export function sizeWord(world: SharedWorld, rank: number): number {
  return SEQ + world.size + rank;
}

export function mailboxHeader(world: SharedWorld, from: number, to: number): number {
  return SEQ + 2 * world.size + MAILBOX_WORDS * (from * world.size + to);
}

export function createWorld(size: number, options: WorldOptions = {}): SharedWorld {
  if (!Number.isInteger(size) || size < 1) throw new UsageError(`an in-process job needs a whole number of ranks >= 1, got ${size}`);
  const chunkElements = options.chunkElements ?? 256 * 1024;
  const mailboxBytes = options.mailboxBytes ?? 1 << 20;
  if (!(chunkElements >= size) || !(mailboxBytes >= 8)) throw new UsageError(`chunkElements (${chunkElements}) must be at least the rank count and mailboxBytes (${mailboxBytes}) at least 8`);
  const control = new SharedArrayBuffer(4 * (SEQ + 2 * size + MAILBOX_WORDS * size * size));
  new Int32Array(control)[FAILED_RANK] = -1;
  return {
    size,
    control,
    reason: new SharedArrayBuffer(REASON_BYTES),
    collective: new SharedArrayBuffer(4 * 2 * size * chunkElements),
    mailboxes: new SharedArrayBuffer(mailboxBytes * size * size),
    chunkElements,
    mailboxBytes,
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
  };
}

/**
 * Marks the job failed because of `rank` (the first failure wins) and wakes every rank that
 * waits, so each reports a CommunicationError instead of hanging. Callable from any thread.
 */
export function abortWorld(world: SharedWorld, rank: number, reason: string): void {
  const control = new Int32Array(world.control);
  // The failed rank is the gate: its message is written before the flag others look at.
  if (Atomics.compareExchange(control, FAILED_RANK, -1, rank) === -1) {
    const bytes = new TextEncoder().encode(reason.slice(0, REASON_BYTES / 2));
    new Uint8Array(world.reason).set(bytes.subarray(0, REASON_BYTES - 1));
  }
  Atomics.store(control, ABORT, 1);
  for (let i = 0; i < control.length; i++) Atomics.notify(control, i);
}

/** The failed rank and its message, once the job was aborted. */
export function abortReason(world: SharedWorld): { rank: number; reason: string } | undefined {
  const control = new Int32Array(world.control);
  if (Atomics.load(control, ABORT) === 0) return undefined;
  const bytes = new Uint8Array(world.reason);
  const end = bytes.indexOf(0);
  return { rank: Atomics.load(control, FAILED_RANK), reason: new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end)) };
}
