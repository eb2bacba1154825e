import { existsSync } from 'node:fs';
import { UsageError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import { readCheckpoint } from '../checkpoint/checkpoint.js';

/**
 * What `dawnflow launch` tells every rank about restarts. After a failed job the launcher starts
 * every rank again with DAWNFLOW_RESTART=i (i-th restart; 0 or unset on the first run); a
 * training program then resumes from its newest atomic checkpoint, and because its data order is
 * a function of seed, epoch, step and rank, it continues bit for bit.
 */

export const RESTART_ENV = 'DAWNFLOW_RESTART';
export const MAX_RESTARTS_ENV = 'DAWNFLOW_MAX_RESTARTS';

export interface LaunchAttempt {
  /** 0 on the first run, i after the i-th restart. */
  readonly restart: number;
  /** Restarts the launcher allows in all (0 when not launched by `dawnflow launch`). */
  readonly maxRestarts: number;
}

function count(env: NodeJS.ProcessEnv, name: string): number {
  const text = env[name];
  if (text === undefined || text === '') return 0;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`${name} must be a whole number >= 0, got '${text}'`);
  return value;
}

/** Which attempt this process belongs to, from the launcher's environment. */
export function launchAttempt(env: NodeJS.ProcessEnv = process.env): LaunchAttempt {
  return { restart: count(env, RESTART_ENV), maxRestarts: count(env, MAX_RESTARTS_ENV) };
}

/**
 * What a rank prints (to stderr) when it exits with MPI still running and so aborts the job:
 * the launcher reads the rank, host and code from it.
 */
export function rankAbortLine(rank: number, host: string, code: number): string {
  return `dawnflow: rank ${rank} on ${host} exits with code ${code}: aborting the MPI job`;
}

export interface ResumePoint {
  /** The checkpoint's states (single-device names): `fitRank`'s `initialStates`. */
  readonly initialStates: Record<string, HostTensor>;
  /** The global step it was written after: `fitRank`'s `startStep`. */
  readonly startStep: number;
}

/**
 * Where a (re)started rank resumes: the checkpoint at `path` when there is one (rank 0 writes it
 * atomically, so it is whole or the previous one), else undefined: from the start.
 */
export async function resumePoint(path: string): Promise<ResumePoint | undefined> {
  if (!existsSync(path)) return undefined;
  const { info, states } = await readCheckpoint(path);
  return { initialStates: Object.fromEntries(states), startStep: info.step };
}
