import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rankData } from './programs/rank_data.js';
import { dawnflow, describeMpi, tsNode } from './mpi_test_env.js';

// Mirrors programs/counter.ts.
const COUNTER_LENGTH = 4099;
const COUNTER_SEED = 5;
const STEPS = 6;
const FAIL_AT = 3;

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dawnflow-launch-'));
  scratch.push(dir);
  return dir;
}

/** The counter's end state, computed here: rank-order sums (f64, rounded once) folded as state / 2 + sum. */
function expectedCounter(ranks: number): Float32Array {
  const state = new Float32Array(COUNTER_LENGTH);
  for (let step = 0; step < STEPS; step++) {
    const inputs = Array.from({ length: ranks }, (_, r) => rankData(COUNTER_SEED * 1000 + step, r, COUNTER_LENGTH));
    for (let i = 0; i < COUNTER_LENGTH; i++) {
      let sum = 0;
      for (let r = 0; r < ranks; r++) sum += inputs[r][i];
      state[i] = Math.fround(state[i] / 2 + Math.fround(sum));
    }
  }
  return state;
}

function launchCounter(ranks: number, maxRestarts: number, failAt: number, mode: 'kill' | 'throw' | 'abort') {
  const dir = freshDir();
  const command = tsNode('test/distributed/mpi/programs/counter.ts', dir, String(STEPS), String(failAt), mode);
  return { dir, done: dawnflow(['launch', '-n', String(ranks), '--max-restarts', String(maxRestarts), '--', ...command]) };
}

const finalState = (dir: string) => new Uint8Array(readFileSync(join(dir, 'final.bin')));
const bytesOf = (x: Float32Array) => new Uint8Array(x.buffer);
const launchLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('launch:') || l.startsWith('dawnflow:'));

describeMpi('dawnflow launch under mpirun', () => {
  const oracle = expectedCounter(3);
  let uninterrupted: Uint8Array;

  it('runs 3 ranks to the end without failures', async () => {
    const { dir, done } = launchCounter(3, 1, -1, 'kill');
    const job = await done;
    expect(job.code, job.stderr).toBe(0);
    expect(launchLines(job.stderr)).toEqual([]);
    expect(job.stdout).toContain(`counter: done, ${STEPS} steps, ranks 3, restart 0`);
    uninterrupted = finalState(dir);
    expect(uninterrupted).toEqual(bytesOf(oracle));
  }, 120_000);

  it('restarts every rank after a SIGKILL and ends bit-identical to the uninterrupted run', async () => {
    const { dir, done } = launchCounter(3, 1, FAIL_AT, 'kill');
    const job = await done;
    expect(job.code, job.stderr).toBe(0);
    expect(launchLines(job.stderr)).toEqual([expect.stringMatching(/^launch: rank 2 \(host \S+\) killed by signal 9 \(SIGKILL\); restart 1 of 1$/), 'launch: job finished after 1 restart']);
    // The restart resumed from a checkpoint past the failure's step, not from scratch.
    const resumed = Number(/restart 1, starting at step (\d+)/.exec(job.stdout)?.[1]);
    expect(resumed).toBeGreaterThanOrEqual(FAIL_AT);
    expect(resumed).toBeLessThan(STEPS);
    expect(job.stdout).toContain(`counter: done, ${STEPS} steps, ranks 3, restart 1`);
    expect(finalState(dir)).toEqual(uninterrupted);
  }, 120_000);

  it('names the rank and exit code of a rank that throws, and recovers the same way', async () => {
    const { dir, done } = launchCounter(3, 2, FAIL_AT, 'throw');
    const job = await done;
    expect(job.code, job.stderr).toBe(0);
    // The rank's own error is shown, then the launcher's one line.
    expect(job.stderr).toContain(`Error: rank 2 fails at step ${FAIL_AT} as asked`);
    expect(launchLines(job.stderr)).toEqual([
      expect.stringMatching(/^dawnflow: rank 2 on \S+ exits with code 1: aborting the MPI job$/),
      expect.stringMatching(/^launch: rank 2 \(host \S+\) exited with code 1; restart 1 of 2$/),
      'launch: job finished after 1 restart',
    ]);
    expect(finalState(dir)).toEqual(uninterrupted);
  }, 120_000);

  it('gives up with one typed line when no restart is allowed (a rank that aborts the job)', async () => {
    const { done } = launchCounter(2, 0, 1, 'abort');
    const job = await done;
    expect(job.code).toBe(1);
    expect(launchLines(job.stderr)).toEqual([
      expect.stringMatching(/^dawnflow: rank 1 on \S+ exits with code 3: aborting the MPI job$/),
      expect.stringMatching(/^dawnflow: COMMUNICATION: launch: rank 1 \(host \S+\) exited with code 3; no restarts allowed \(--max-restarts 0\)$/),
    ]);
  }, 120_000);
});

describe('dawnflow launch without MPI', () => {
  it('says what to install, in one typed line', async () => {
    const bin = freshDir();
    mkdirSync(join(bin, 'bin'));
    symlinkSync(process.execPath, join(bin, 'bin', 'node'));
    const job = await dawnflow(['launch', '-n', '2', '--', 'node', '-e', '0'], { ...process.env, PATH: join(bin, 'bin'), SLURM_JOB_ID: '' });
    expect(job.code).toBe(1);
    expect(job.stderr.trim().split('\n')).toEqual([
      'dawnflow: COMMUNICATION: launch: mpirun not found on PATH: install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev), then run npm run setup:mpi',
    ]);
  }, 60_000);
});
