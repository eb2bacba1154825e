import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLauncher, jobCommand } from '../../../bin/launch/job_command.js';
import { describeFailure, FailureScanner } from '../../../bin/launch/job_failures.js';
import { MpiCommunicator } from '../../../runtime/distributed/mpi_communicator.js';
import { launchAttempt, rankAbortLine } from '../../../runtime/distributed/restart.js';
import { dawnflow } from './mpi_test_env.js';

// What the launcher decides and reads, without running MPI.

const mpirun = { kind: 'mpirun' as const, path: '/usr/bin/mpirun' };
const srun = { kind: 'srun' as const, path: '/usr/bin/srun' };
const command = ['node', 'train.js', '--lr', '0.1'];

describe('the job command line', () => {
  it('passes what Open MPI needs as root with more ranks than cores', () => {
    expect(jobCommand({ ranks: 3, command }, mpirun, { root: true, cores: 2 }).args).toEqual([
      '-np', '3', '--allow-run-as-root', '--oversubscribe', '-x', 'DAWNFLOW_RESTART', '-x', 'DAWNFLOW_MAX_RESTARTS', ...command,
    ]);
  });

  it('leaves slots to the hostfile and root alone otherwise', () => {
    const job = jobCommand({ ranks: 8, command, hostfile: 'hosts', launcherArgs: ['--mca', 'btl', 'tcp,self'] }, mpirun, { root: false, cores: 2 });
    expect(job.args).toEqual(['-np', '8', '--hostfile', 'hosts', '-x', 'DAWNFLOW_RESTART', '-x', 'DAWNFLOW_MAX_RESTARTS', '--mca', 'btl', 'tcp,self', ...command]);
    expect(jobCommand({ ranks: 2, command }, mpirun, { root: false, cores: 2 }).args).not.toContain('--oversubscribe');
  });

  it('uses srun inside a Slurm allocation', () => {
    expect(jobCommand({ ranks: 4, command }, srun, { root: true, cores: 2 })).toEqual({ kind: 'srun', program: '/usr/bin/srun', args: ['--ntasks', '4', '--kill-on-bad-exit=1', ...command] });
    expect(() => jobCommand({ ranks: 4, command, hostfile: 'h' }, srun, { root: true, cores: 2 })).toThrow(/--hostfile does not apply under Slurm/);
  });

  it('refuses nonsense with UsageErrors', () => {
    expect(() => jobCommand({ ranks: 0, command }, mpirun, { root: false, cores: 2 })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => jobCommand({ ranks: 2, command: [] }, mpirun, { root: false, cores: 2 })).toThrow(/no command to run/);
  });
});

describe('finding the launcher', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fakeBin = (...names: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'dawnflow-bin-'));
    dirs.push(dir);
    for (const name of names) {
      writeFileSync(join(dir, name), '#!/bin/sh\n');
      chmodSync(join(dir, name), 0o755);
    }
    return dir;
  };

  it('prefers srun under Slurm, mpirun elsewhere', () => {
    const both = fakeBin('mpirun', 'srun');
    expect(findLauncher(undefined, { PATH: both, SLURM_JOB_ID: '42' })).toEqual({ kind: 'srun', path: join(both, 'srun') });
    expect(findLauncher(undefined, { PATH: both })).toEqual({ kind: 'mpirun', path: join(both, 'mpirun') });
    expect(findLauncher('mpirun', { PATH: both, SLURM_JOB_ID: '42' }).kind).toBe('mpirun');
    // Slurm without srun on PATH: mpirun (Open MPI reads the allocation itself).
    expect(findLauncher(undefined, { PATH: fakeBin('mpirun'), SLURM_JOB_ID: '42' }).kind).toBe('mpirun');
  });

  it('says what to install when there is none', () => {
    expect(() => findLauncher(undefined, { PATH: fakeBin() })).toThrow(
      expect.objectContaining({ code: 'COMMUNICATION', message: expect.stringMatching(/^launch: mpirun not found on PATH: install Open MPI/) }),
    );
  });
});

describe('reading what failed', () => {
  const feed = (text: string) => {
    const scanner = new FailureScanner();
    const shown = text.split('\n').flatMap((l) => scanner.feed(l));
    return { shown: [...shown, ...scanner.flush()], failures: scanner.failures };
  };
  const dashes = '-'.repeat(74);

  it("reads Open MPI's report of a killed rank and hides it for the launcher's one line", () => {
    const { shown, failures } = feed(
      [dashes, 'Primary job  terminated normally, but 1 process returned', 'a non-zero exit code. Per user-direction, the job has been aborted.', dashes,
        dashes, 'mpirun noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed).', dashes].join('\n'),
    );
    expect(failures).toEqual([{ rank: 1, host: 'vm', signal: 9 }]);
    expect(shown).toEqual([]);
    expect(describeFailure(failures[0])).toBe('rank 1 (host vm) killed by signal 9 (SIGKILL)');
  });

  it('reads an exit code, a rank that announced its abort, and srun', () => {
    expect(feed([dashes, 'mpirun detected that one or more processes exited with non-zero status, thus causing', 'the job to be terminated. The first process to do so was:', '', '  Process name: [[15051,1],2]', '  Exit code:    3', dashes].join('\n')).failures).toEqual([{ rank: 2, exitCode: 3 }]);
    const announced = feed(`some rank output\n${rankAbortLine(2, 'node7', 1)}\nmore`);
    expect(announced.failures).toEqual([{ rank: 2, host: 'node7', exitCode: 1 }]);
    expect(announced.shown).toEqual(['some rank output', rankAbortLine(2, 'node7', 1), 'more']);
    expect(feed('srun: error: node3: task 5: Exited with exit code 2').failures).toEqual([{ rank: 5, host: 'node3', exitCode: 2 }]);
    expect(feed('srun: error: node3: task 1: Killed').failures).toEqual([{ rank: 1, host: 'node3', signal: 9 }]);
  });

  it("shows mpirun's other messages untouched", () => {
    const block = [dashes, 'WARNING: There was an error initializing an OpenFabrics device.', dashes];
    expect(feed(block.join('\n')).shown).toEqual(block);
    expect(feed(`${dashes}\nunfinished`).shown).toEqual([dashes, 'unfinished']);
  });
});

describe('the restart environment', () => {
  it('reads DAWNFLOW_RESTART and refuses garbage', () => {
    expect(launchAttempt({})).toEqual({ restart: 0, maxRestarts: 0 });
    expect(launchAttempt({ DAWNFLOW_RESTART: '2', DAWNFLOW_MAX_RESTARTS: '3' })).toEqual({ restart: 2, maxRestarts: 3 });
    expect(() => launchAttempt({ DAWNFLOW_RESTART: 'x' })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('dawnflow launch arguments', () => {
  it('needs the command after -- and a rank count', async () => {
    const noDash = await dawnflow(['launch', '-n', '2', 'node', 'x.js']);
    expect(noDash.code).toBe(2);
    expect(noDash.stderr.split('\n')[0]).toBe("dawnflow: USAGE: launch: put the command to run after '--'");
    const badN = await dawnflow(['launch', '-n', 'two', '--', 'node', 'x.js']);
    expect(badN.code).toBe(2);
    expect(badN.stderr.split('\n')[0]).toBe("dawnflow: USAGE: launch: -n must be a whole number >= 1, got 'two'");
  }, 60_000);
});

describe('MpiCommunicator without the addon', () => {
  it('says what to install', async () => {
    process.env.DAWNFLOW_MPI_ADDON = '/nonexistent/dawnflow_mpi.node';
    try {
      await expect(MpiCommunicator.create()).rejects.toMatchObject({
        code: 'COMMUNICATION',
        message: 'the MPI addon is not built (native/mpi/build/Release/dawnflow_mpi.node): install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev), then run npm run setup:mpi',
      });
    } finally {
      delete process.env.DAWNFLOW_MPI_ADDON;
    }
  });
});
