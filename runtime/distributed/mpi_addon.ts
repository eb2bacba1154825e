import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommunicationError } from '../../ir/errors.js';

/**
 * The Open MPI addon (native/mpi): found, loaded once, typed. It is built by `npm install` where
 * `mpicc` exists, or by `npm run setup:mpi`; where it is missing, only MPI needs it and the
 * error says what to install.
 */

/** What to do when MPI or the addon is missing (one line, for error messages). */
export const MPI_INSTALL_HINT = 'install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev), then run npm run setup:mpi';

/** The job as MPI_Init_thread left it. */
export interface MpiWorldInfo {
  readonly rank: number;
  readonly size: number;
  /** Rank among the ranks on this host (an MPI_COMM_TYPE_SHARED split). */
  readonly localRank: number;
  readonly localSize: number;
  /** MPI_THREAD_* level provided (FUNNELED = 1 is what the addon asks for). */
  readonly threadLevel: number;
  readonly host: string;
  /** e.g. 'Open MPI v4.1.4'. */
  readonly library: string;
}

/**
 * The addon's functions. Every operation returns at once and settles when the MPI thread has
 * finished it; the typed array it reads or writes stays referenced until then.
 */
export interface MpiBinding {
  init(): Promise<MpiWorldInfo>;
  /** Rank-order sums; with `library`, Open MPI's own MPI_Iallreduce (not bit-reproducible; bench only). */
  allreduce(data: Float32Array, mean: boolean, library?: boolean): Promise<void>;
  broadcast(data: ArrayBufferView, root: number): Promise<void>;
  send(data: ArrayBufferView, to: number, tag: number): Promise<void>;
  recv(data: ArrayBufferView, from: number, tag: number): Promise<void>;
  barrier(): Promise<void>;
  /** Settles once every queued op is done and MPI_Finalize returned. */
  finalize(): Promise<void>;
  /** MPI_Finalize from a process 'exit' handler (the event loop no longer runs). */
  finalizeSync(): void;
  /** MPI_Abort on the whole job with this exit code, now. */
  abort(code: number): void;
  /** MPI_Abort with this code when the process exits (after Node has printed a fatal error). */
  abortAtExit(code: number): void;
  /** Operations (and init/finalize) the MPI thread has not settled yet. */
  pending(): number;
}

const ADDON_FILE = join('native', 'mpi', 'build', 'Release', 'dawnflow_mpi.node');

/** The built addon: $DAWNFLOW_MPI_ADDON, else native/mpi/build above this module (source or dist/). */
export function mpiAddonPath(): string | undefined {
  const fromEnv = process.env.DAWNFLOW_MPI_ADDON;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

let loaded: MpiBinding | undefined;

/** Loads the addon (once per process); a CommunicationError saying what to install if it is missing. */
export function loadMpiAddon(): MpiBinding {
  if (loaded) return loaded;
  const path = mpiAddonPath();
  if (!path) throw new CommunicationError(`the MPI addon is not built (${ADDON_FILE}): ${MPI_INSTALL_HINT}`);
  const module = { exports: {} as MpiBinding };
  try {
    // RTLD_GLOBAL: Open MPI's plugins (dlopened by MPI_Init) resolve libmpi's symbols globally.
    process.dlopen(module, path, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new CommunicationError(`cannot load the MPI addon ${path} (${why}): ${MPI_INSTALL_HINT}`, { cause });
  }
  loaded = module.exports;
  return loaded;
}
