import { CommunicationError, UsageError } from '../../ir/errors.js';
import type { Bytes, Communicator, ReduceOp } from './communicator.js';
import type { MpiBinding, MpiWorldInfo } from './mpi_addon.js';
import { loadMpiAddon } from './mpi_addon.js';
import { rankAbortLine } from './restart.js';

/**
 * The Communicator over Open MPI: one process per rank, started by `mpirun`, `srun` or
 * `dawnflow launch`. Every call returns a promise at once; the addon's MPI thread runs the
 * non-blocking MPI call and settles it, so Dawn's callbacks keep running while a rank waits.
 * Several calls may be in flight (collectives are matched in call order, as MPI requires).
 *
 * All-reduce is deterministic and equal to the in-process communicator's: each rank gets every
 * rank's copy of its slice (MPI_Ialltoallv), sums it in rank order in f64 ((x0 + x1) + x2 ...;
 * mean divides that sum by the rank count) and rounds once to f32, as the in-process one does,
 * and the slices are gathered back (MPI_Iallgatherv).
 * Before its data moves, every collective compares what each rank called (an allgather of
 * kind, size and root): ranks that disagree all fail with one CommunicationError instead of
 * hanging. A rank that dies makes MPI abort the job: restarting is the launcher's business.
 *
 * MPI starts once per process and cannot start again after it is finalized: `create()` returns
 * the process's one communicator, and `close()` is final. A process that exits with the
 * communicator open finalizes MPI if it exits cleanly (code 0, nothing in flight), and aborts
 * the whole job otherwise, so that its peers never wait for it forever.
 */

/** The largest count one MPI call takes (an `int`). */
const MAX_COUNT = 2 ** 31 - 1;
/** Tags every MPI implementation accepts (MPI_TAG_UB is at least 32767). */
const MAX_TAG = 32767;

export interface MpiCommunicatorOptions {
  /**
   * An operation not finished after this many milliseconds rejects with a CommunicationError
   * naming it (a peer that stopped answering). Default: $DAWNFLOW_MPI_TIMEOUT_S seconds, or
   * no limit. After a timeout the operation is still in MPI's hands: exit (which aborts the job).
   */
  readonly timeoutMs?: number;
}

let instance: Promise<MpiCommunicator> | undefined;

export class MpiCommunicator implements Communicator {
  readonly kind = 'mpi';
  readonly rank: number;
  readonly size: number;
  readonly localRank: number;
  readonly localSize: number;
  /** The host this rank runs on (MPI_Get_processor_name). */
  readonly host: string;
  /** The MPI library, e.g. 'Open MPI v4.1.4'. */
  readonly library: string;
  #closed = false;
  readonly #mpi: MpiBinding;
  readonly #timeoutMs: number | undefined;
  readonly #onExit = (code: number) => this.#exitHandler(code);

  private constructor(mpi: MpiBinding, info: MpiWorldInfo, timeoutMs: number | undefined) {
    this.#mpi = mpi;
    this.#timeoutMs = timeoutMs;
    this.rank = info.rank;
    this.size = info.size;
    this.localRank = info.localRank;
    this.localSize = info.localSize;
    this.host = info.host;
    this.library = info.library;
    process.on('exit', this.#onExit);
  }

  /** Starts MPI (once per process) and returns the communicator over all ranks of the job. */
  static create(options: MpiCommunicatorOptions = {}): Promise<MpiCommunicator> {
    instance ??= (async () => {
      const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
      if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`MpiCommunicator: timeoutMs must be > 0, got ${timeoutMs}`);
      const mpi = loadMpiAddon();
      let info: MpiWorldInfo;
      try {
        info = await mpi.init();
      } catch (cause) {
        throw new CommunicationError(`MPI failed to start: ${messageOf(cause)}`, { cause });
      }
      return new MpiCommunicator(mpi, info, timeoutMs);
    })();
    return instance;
  }

  async allReduce(data: Float32Array, op: ReduceOp = 'sum'): Promise<void> {
    this.#usable('allReduce');
    if (!(data instanceof Float32Array)) throw new UsageError(`allReduce: expected a Float32Array, got ${describe(data)}`);
    if (op !== 'sum' && op !== 'mean') throw new UsageError(`allReduce: op must be 'sum' or 'mean', got '${String(op)}'`);
    if (data.length > MAX_COUNT) throw new UsageError(`allReduce: ${data.length} elements exceed MPI's ${MAX_COUNT} per call (split into buckets)`);
    return this.#settle(`allReduce of ${data.length} f32 (${op})`, this.#mpi.allreduce(data, op === 'mean'));
  }

  async broadcast(data: Bytes, root: number): Promise<void> {
    this.#usable('broadcast');
    this.#checkBytes('broadcast', data);
    this.#checkRank('broadcast', 'root', root);
    return this.#settle(`broadcast of ${data.byteLength} bytes from rank ${root}`, this.#mpi.broadcast(data, root));
  }

  async send(data: Bytes, to: number, tag = 0): Promise<void> {
    this.#usable('send');
    this.#checkBytes('send', data);
    this.#checkRank('send', 'to', to);
    checkTag('send', tag);
    return this.#settle(`send of ${data.byteLength} bytes to rank ${to} (tag ${tag})`, this.#mpi.send(data, to, tag));
  }

  async recv(data: Bytes, from: number, tag = 0): Promise<void> {
    this.#usable('recv');
    this.#checkBytes('recv', data);
    this.#checkRank('recv', 'from', from);
    checkTag('recv', tag);
    return this.#settle(`recv of ${data.byteLength} bytes from rank ${from} (tag ${tag})`, this.#mpi.recv(data, from, tag));
  }

  async barrier(): Promise<void> {
    this.#usable('barrier');
    return this.#settle('barrier', this.#mpi.barrier());
  }

  /** Waits for every operation in flight, then finalizes MPI. Final for the process. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    await this.#mpi.finalize();
  }

  /**
   * Ends the whole job now (MPI_Abort): every rank stops with `code`, and `dawnflow launch`
   * restarts the job when restarts are left. For a rank that cannot go on (a lost device).
   */
  abort(code = 1): never {
    this.#closed = true;
    process.stderr.write(`${rankAbortLine(this.rank, this.host, code)}\n`);
    this.#mpi.abort(code);
    // MPI_Abort kills the process; should it ever return, exit all the same.
    process.exit(code);
  }

  #exitHandler(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    if (code === 0 && this.#mpi.pending() === 0) {
      this.#mpi.finalizeSync();
      return;
    }
    const exitCode = code === 0 ? 1 : code;
    process.stderr.write(`${rankAbortLine(this.rank, this.host, exitCode)}\n`);
    // Not now: Node may still have to print the error that ends the process.
    this.#mpi.abortAtExit(exitCode);
  }

  #usable(what: string): void {
    if (this.#closed) throw new UsageError(`${what}: the MPI communicator is closed`);
  }

  #checkRank(what: string, role: string, rank: number): void {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.size) throw new UsageError(`${what}: ${role} must be a rank in 0..${this.size - 1}, got ${rank}`);
  }

  #checkBytes(what: string, data: Bytes): void {
    if (!ArrayBuffer.isView(data)) throw new UsageError(`${what}: expected a typed array or DataView, got ${describe(data)}`);
    if (data.byteLength > MAX_COUNT) throw new UsageError(`${what}: ${data.byteLength} bytes exceed MPI's ${MAX_COUNT} per call`);
  }

  /** Types the addon's rejection and applies the timeout. */
  #settle(what: string, done: Promise<void>): Promise<void> {
    const typed = done.catch((cause: unknown) => {
      throw new CommunicationError(`rank ${this.rank}: ${messageOf(cause)}`, { cause });
    });
    const limit = this.#timeoutMs;
    if (limit === undefined) return typed;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommunicationError(`rank ${this.rank}: ${what} did not finish within ${limit / 1000} s (a peer stopped answering?)`)), limit);
    });
    return Promise.race([typed, expired]).finally(() => clearTimeout(timer));
  }
}

function checkTag(what: string, tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > MAX_TAG) throw new UsageError(`${what}: tag must be an integer in 0..${MAX_TAG}, got ${tag}`);
}

function timeoutFromEnv(): number | undefined {
  const text = process.env.DAWNFLOW_MPI_TIMEOUT_S;
  if (text === undefined || text === '') return undefined;
  const seconds = Number(text);
  if (!(seconds > 0)) throw new UsageError(`DAWNFLOW_MPI_TIMEOUT_S must be a number of seconds > 0, got '${text}'`);
  return seconds * 1000;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
