import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Keeps Dawn's adapter notices out of what a CLI user sees. When Dawn enumerates a Vulkan
 * adapter whose driver reports more dynamic buffers per pipeline layout than Dawn can offset
 * (lavapipe: 1000000), it clamps the limit to 16 and prints one line per limit from native code
 * straight to file descriptor 2 — before any device is requested, so no requested limit avoids
 * it, and JavaScript cannot intercept a native write in its own process. The binary therefore
 * runs the command in a child process whose stderr it relays, dropping exactly these lines.
 */

/** The two lines Dawn's Limits.cpp prints (maxDynamicUniform…, maxDynamicStorage…), nothing else. */
const DAWN_LIMIT_NOTICE = /^Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?$/;

export function isDawnLimitNotice(line: string): boolean {
  return DAWN_LIMIT_NOTICE.test(line);
}

/** Set in the child's environment: the process whose stderr is already being relayed. */
export const RELAYED_ENV = 'DAWNFLOW_STDERR_RELAYED';

/** Passes text through line by line, dropping the lines `drop` matches; a last unterminated line passes at end(). */
export class LineFilter {
  #pending = '';
  constructor(private readonly drop: (line: string) => boolean) {}

  push(chunk: string): string {
    const lines = (this.#pending + chunk).split('\n');
    this.#pending = lines.pop() ?? '';
    return lines.filter((line) => !this.drop(line)).map((line) => `${line}\n`).join('');
  }

  end(): string {
    const rest = this.#pending;
    this.#pending = '';
    return rest === '' || this.drop(rest) ? '' : rest;
  }
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `script` with `args` in a child Node (same flags, e.g. tsx's loader), stdin and stdout
 * inherited, stderr relayed without Dawn's limit notices. Signals sent to this process go to the
 * child; resolves to the child's exit code (128 + signal number if a signal ended it).
 */
export function runWithRelayedStderr(script: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: { ...process.env, [RELAYED_ENV]: '1' },
  });
  const filter = new LineFilter(isDawnLimitNotice);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => process.stderr.write(filter.push(chunk)));
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      process.stderr.write(filter.end());
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
