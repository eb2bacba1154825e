import { constants } from 'node:os';

/**
 * Reads a failed job's story from what the launcher prints: Open MPI's `mpirun` reports the
 * first rank that died and how (in a block framed by dashed lines), Slurm's `srun` one line per
 * failed task, and a dawnflow rank that exits with MPI running says so itself before it aborts
 * the job (Open MPI 4.1's own MPI_Abort report can fail to print). The scanner keeps what it
 * understood and tells the launcher which of mpirun's blocks it can replace with its one line.
 */

export interface RankFailure {
  readonly rank: number;
  readonly host?: string;
  readonly exitCode?: number;
  readonly signal?: number;
}

/** One line per failure: "rank 1 (host vm) killed by signal 9 (SIGKILL)". */
export function describeFailure(f: RankFailure): string {
  const where = `rank ${f.rank}${f.host ? ` (host ${f.host})` : ''}`;
  if (f.signal !== undefined) return `${where} killed by signal ${f.signal}${signalName(f.signal) ? ` (${signalName(f.signal)})` : ''}`;
  if (f.exitCode !== undefined) return `${where} exited with code ${f.exitCode}`;
  return `${where} failed`;
}

function signalName(signal: number): string | undefined {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
}

const SIGNAL = /process rank (\d+) with PID \d+ on node (\S+) exited on signal (\d+)/;
const PROCESS_NAME = /^\s*Process name:\s*\[\[\d+,\d+\],(\d+)\]/;
const EXIT_CODE = /^\s*Exit code:\s*(\d+)/;
/** What `rankAbortLine` (runtime/distributed/restart.ts) prints. */
const RANK_ABORTS = /^dawnflow: rank (\d+) on (\S+) exits with code (\d+)/;
const MPI_ABORT = /MPI_ABORT was invoked on rank (\d+) in communicator \S+\s+with errorcode (\d+)/;
const SRUN_TASK = /^srun: error: (\S+): tasks? (\d+)(?:[-,]\S*)?: (?:Exited with exit code (\d+)|Killed|Terminated)/;
/** mpirun's blocks that only restate a failure the launcher's own line says. */
const RESTATED = [/Primary job\s+terminated normally/, /mpirun noticed that process rank/, /mpirun detected that one or more processes exited/, /MPI_ABORT was invoked/];
const DASHES = /^-{20,}$/;

export class FailureScanner {
  readonly #failures: RankFailure[] = [];
  #block: string[] | undefined;
  #pendingRank: number | undefined;

  /** Feeds one line of the launcher's stderr; returns the lines to show (mpirun's restated blocks dropped). */
  feed(line: string): string[] {
    this.#understand(line);
    if (this.#block) {
      this.#block.push(line);
      if (!DASHES.test(line)) return [];
      const block = this.#block;
      this.#block = undefined;
      return RESTATED.some((r) => block.some((l) => r.test(l))) ? [] : block;
    }
    if (DASHES.test(line)) {
      this.#block = [line];
      return [];
    }
    return [line];
  }

  /** What is left of an unfinished block at the end of the stream. */
  flush(): string[] {
    const rest = this.#block ?? [];
    this.#block = undefined;
    return rest;
  }

  /** The failures understood so far, first first, one per rank. */
  get failures(): readonly RankFailure[] {
    return this.#failures;
  }

  #add(f: RankFailure): void {
    const known = this.#failures.findIndex((g) => g.rank === f.rank);
    if (known < 0) this.#failures.push(f);
    // A rank's own report names its host; mpirun's may add the signal: keep the most precise.
    else this.#failures[known] = { ...f, ...this.#failures[known], ...(f.signal !== undefined ? { signal: f.signal } : {}) };
  }

  #understand(line: string): void {
    let m: RegExpExecArray | null;
    if ((m = SIGNAL.exec(line))) this.#add({ rank: Number(m[1]), host: m[2], signal: Number(m[3]) });
    else if ((m = RANK_ABORTS.exec(line))) this.#add({ rank: Number(m[1]), host: m[2], exitCode: Number(m[3]) });
    else if ((m = MPI_ABORT.exec(line))) this.#add({ rank: Number(m[1]), exitCode: Number(m[2]) });
    else if ((m = PROCESS_NAME.exec(line))) this.#pendingRank = Number(m[1]);
    else if ((m = EXIT_CODE.exec(line)) && this.#pendingRank !== undefined) {
      this.#add({ rank: this.#pendingRank, exitCode: Number(m[1]) });
      this.#pendingRank = undefined;
    } else if ((m = SRUN_TASK.exec(line))) {
      const code = m[3] === undefined ? undefined : Number(m[3]);
      this.#add({ rank: Number(m[2]), host: m[1], ...(code === undefined ? { signal: line.includes('Killed') ? 9 : 15 } : { exitCode: code }) });
    }
  }
}
