import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CommunicationError } from '../../ir/errors.js';
import { MAX_RESTARTS_ENV, RESTART_ENV } from '../../runtime/distributed/restart.js';
import type { JobCommand, JobSpec, Machine } from './job_command.js';
import { findLauncher, jobCommand, thisMachine } from './job_command.js';
import type { RankFailure } from './job_failures.js';
import { describeFailure, FailureScanner } from './job_failures.js';

/**
 * `dawnflow launch`: runs a job under mpirun (or srun) and, when it fails, restarts every rank,
 * up to `maxRestarts` times: MPI aborts the whole job when one rank dies, so recovery is a
 * restart of all ranks from the newest checkpoint (torchrun's policy). Each event is one line:
 * which rank failed and how, and which restart this is.
 */

export interface LaunchOptions extends JobSpec {
  readonly maxRestarts: number;
  /** The ranks' environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Show the launcher's own failure reports too (they restate the one-line summary). */
  readonly verbose?: boolean;
  readonly machine?: Machine;
}

export interface LaunchResult {
  readonly restarts: number;
  /** What failed, per failed attempt. */
  readonly failures: readonly (readonly RankFailure[])[];
}

export interface LaunchOutput {
  info(line: string): void;
}

interface Attempt {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly failures: readonly RankFailure[];
  readonly interrupted?: NodeJS.Signals;
}

export async function launchJob(options: LaunchOptions, out: LaunchOutput): Promise<LaunchResult> {
  const { maxRestarts } = options;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) throw new CommunicationError(`launch: --max-restarts must be a whole number >= 0, got ${maxRestarts}`);
  const env = options.env ?? process.env;
  const command = jobCommand(options, findLauncher(options.launcher, env), options.machine ?? thisMachine());
  const failures: RankFailure[][] = [];
  for (let restart = 0; ; restart++) {
    const attempt = await runOnce(command, { ...env, [RESTART_ENV]: String(restart), [MAX_RESTARTS_ENV]: String(maxRestarts) }, out, options.verbose ?? false);
    if (attempt.interrupted) throw new CommunicationError(`launch: interrupted by ${attempt.interrupted}; the job was stopped`);
    if (attempt.code === 0) {
      if (restart > 0) out.info(`launch: job finished after ${restart} restart${restart === 1 ? '' : 's'}`);
      return { restarts: restart, failures };
    }
    failures.push([...attempt.failures]);
    const what = attempt.failures.length > 0 ? attempt.failures.map(describeFailure).join('; ') : `the job failed (${command.kind} ${attempt.signal ? `killed by ${attempt.signal}` : `exited with code ${attempt.code}`})`;
    if (restart >= maxRestarts) {
      throw new CommunicationError(`launch: ${what}; ${maxRestarts === 0 ? 'no restarts allowed (--max-restarts 0)' : `no restarts left (${maxRestarts} used)`}`);
    }
    out.info(`launch: ${what}; restart ${restart + 1} of ${maxRestarts}`);
  }
}

/** One run of the whole job; stdout passes through, stderr through the failure scanner. */
function runOnce(command: JobCommand, env: NodeJS.ProcessEnv, out: LaunchOutput, verbose: boolean): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.program, command.args, { stdio: ['inherit', 'inherit', 'pipe'], env });
    const scanner = new FailureScanner();
    let interrupted: NodeJS.Signals | undefined;
    const forward = (signal: NodeJS.Signals) => {
      interrupted = signal;
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      const shown = scanner.feed(line);
      for (const l of verbose ? [line] : shown) out.info(l);
    });
    const closed = new Promise<void>((done) => lines.on('close', done));
    child.on('error', (e) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      reject(new CommunicationError(`launch: cannot start ${command.program} (${e.message})`, { cause: e }));
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      void closed.then(() => {
        if (!verbose) for (const l of scanner.flush()) out.info(l);
        resolve({ code, signal, failures: scanner.failures, ...(interrupted ? { interrupted } : {}) });
      });
    });
  });
}
