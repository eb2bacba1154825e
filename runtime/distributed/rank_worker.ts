import { parentPort, workerData } from 'node:worker_threads';
import { InProcessCommunicator } from './in_process_communicator.js';
import { errorToJson, type RankMessage, type RankWorkerData } from './rank_protocol.js';

/**
 * The body of one in-process rank (a worker thread started by `launchInProcess`): builds the
 * rank's communicator, imports the entry module and runs its entry function. A failure aborts
 * the job first, so the other ranks stop waiting for this one with a CommunicationError.
 */
const { world, rank, entry, input } = workerData as RankWorkerData;
const comm = new InProcessCommunicator(world, rank);
// Pending Atomics.waitAsync promises and Dawn's callbacks do not keep a worker alive by themselves.
const keepAlive = setInterval(() => undefined, 1 << 30);
let message: RankMessage;
try {
  const module = (await import(entry.module)) as Record<string, unknown>;
  const run = module[entry.name];
  if (typeof run !== 'function') throw new TypeError(`${entry.module} has no function '${entry.name}'`);
  message = { kind: 'result', value: await (run as (c: InProcessCommunicator, i: unknown) => Promise<unknown>)(comm, input) };
} catch (error) {
  comm.abort(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  message = { kind: 'error', error: errorToJson(error) };
} finally {
  clearInterval(keepAlive);
  await comm.close();
}
parentPort!.postMessage(message);
