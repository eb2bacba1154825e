import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CommunicationError, UsageError } from '../../ir/errors.js';
import { errorFromJson, type RankEntry, type RankMessage, type RankWorkerData } from './rank_protocol.js';
import { abortReason, abortWorld, createWorld, type SharedWorld, type WorldOptions } from './shared_world.js';

/**
 * Runs a job of `size` ranks in this process: one worker thread per rank, each with its own
 * device (one `requestAdapter()` each) and an InProcessCommunicator over one SharedWorld. Every
 * rank calls the same entry function with its communicator and the same input; the input is
 * structured-cloned to each worker (SharedArrayBuffers inside it are shared, not copied).
 *
 * The MPI launcher calls the same entry functions from one process per rank: the per-rank code
 * never knows which it runs under.
 */

export type RankOutcome<R> = { readonly rank: number; readonly ok: true; readonly value: R } | { readonly rank: number; readonly ok: false; readonly error: Error };

export interface InProcessJob<R> {
  readonly world: SharedWorld;
  /** Settles once every rank has finished, one outcome per rank. */
  readonly outcomes: Promise<RankOutcome<R>[]>;
}

/** Where the worker finds this package's rank body; from sources (tsx, vitest) it is a .ts file. */
const here = import.meta.url;
const fromSources = here.endsWith('.ts');
const rankWorker = siblingModule('rank_worker');

/** The file URL of the module `name` of this folder (runtime/distributed): a rank entry's `module`. */
export function siblingModule(name: string): string {
  return new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, here).href;
}

/** Runs TypeScript sources in the worker through tsx's loader (a dev dependency) when we run from them. */
function loaderUrl(): string | undefined {
  if (!fromSources) return undefined;
  try {
    // The ESM entry of tsx's API ('import' condition); require.resolve would give the CommonJS one.
    return pathToFileURL(join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  } catch (cause) {
    throw new UsageError('running ranks from TypeScript sources needs the tsx package (npm install --save-dev tsx), or run the built JavaScript', { cause });
  }
}

const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.loader) (await import(workerData.loader)).register();
  await import(workerData.main);
})().catch((error) => { console.error(error); process.exit(70); });
`;

export function startInProcess<R>(entry: RankEntry, input: unknown, options: WorldOptions & { readonly size: number }): InProcessJob<R> {
  const world = createWorld(options.size, options);
  const loader = loaderUrl();
  const outcomes = Array.from({ length: world.size }, (_, rank) => runRank<R>(world, rank, entry, input, loader));
  return { world, outcomes: Promise.all(outcomes) };
}

/** Starts the job and waits for every rank. */
export function launchInProcess<R>(entry: RankEntry, input: unknown, options: WorldOptions & { readonly size: number }): Promise<RankOutcome<R>[]> {
  return startInProcess<R>(entry, input, options).outcomes;
}

/**
 * The ranks' values; when a rank failed, the error of the first rank that failed (the others'
 * errors are CommunicationErrors that follow from it).
 */
export function valuesOrThrow<R>(outcomes: readonly RankOutcome<R>[]): R[] {
  const failed = outcomes.filter((o): o is Extract<RankOutcome<R>, { ok: false }> => !o.ok);
  if (failed.length === 0) return outcomes.map((o) => (o as Extract<RankOutcome<R>, { ok: true }>).value);
  const root = failed.find((o) => !(o.error instanceof CommunicationError)) ?? failed[0];
  throw root.error;
}

function runRank<R>(world: SharedWorld, rank: number, entry: RankEntry, input: unknown, loader: string | undefined): Promise<RankOutcome<R>> {
  const data: RankWorkerData & { loader?: string; main: string } = { world, rank, entry, input, loader, main: rankWorker };
  return new Promise((resolve) => {
    let settled: RankOutcome<R> | undefined;
    const fail = (error: Error) => {
      settled ??= { rank, ok: false, error };
      abortWorld(world, rank, `${error.name}: ${error.message}`);
    };
    let worker: Worker;
    try {
      worker = new Worker(BOOT, { eval: true, workerData: data });
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      resolve(settled!);
      return;
    }
    worker.on('message', (message: RankMessage) => {
      if (message.kind === 'result') settled ??= { rank, ok: true, value: message.value as R };
      else fail(errorFromJson(message.error));
    });
    worker.on('error', (error) => fail(error));
    worker.on('exit', (code) => {
      if (!settled) {
        const cause = abortReason(world);
        fail(new CommunicationError(`rank ${rank}: its worker exited with code ${code} before finishing${cause ? ` (the job had failed: rank ${cause.rank}: ${cause.reason})` : ''}`));
      }
      resolve(settled!);
    });
  });
}
