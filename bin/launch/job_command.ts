import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { CommunicationError, UsageError } from '../../ir/errors.js';
import { MPI_INSTALL_HINT } from '../../runtime/distributed/mpi_addon.js';
import { MAX_RESTARTS_ENV, RESTART_ENV } from '../../runtime/distributed/restart.js';

/**
 * The command line that starts every rank of a job: `mpirun` (Open MPI), or `srun` inside a
 * Slurm allocation. It passes what MPI needs on this machine (as root: --allow-run-as-root;
 * more ranks than cores: --oversubscribe; the hostfile) and exports the restart count to every
 * rank, on every host.
 */

export type LauncherKind = 'mpirun' | 'srun';

export interface JobSpec {
  readonly ranks: number;
  readonly hostfile?: string;
  /** Default: srun under Slurm (SLURM_JOB_ID set and srun found), else mpirun. */
  readonly launcher?: LauncherKind;
  /** Passed to the launcher before the command (e.g. `--mca btl tcp,self`). */
  readonly launcherArgs?: readonly string[];
  readonly command: readonly string[];
}

export interface Machine {
  readonly root: boolean;
  /** Physical cores: what Open MPI counts as slots on a host without a hostfile. */
  readonly cores: number;
}

export interface JobCommand {
  readonly kind: LauncherKind;
  readonly program: string;
  readonly args: readonly string[];
}

/** The executable `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Picks the launcher; a CommunicationError saying what to install when there is none. */
export function findLauncher(wanted: LauncherKind | undefined, env: NodeJS.ProcessEnv = process.env): { kind: LauncherKind; path: string } {
  const underSlurm = Boolean(env.SLURM_JOB_ID);
  const kind = wanted ?? (underSlurm && onPath('srun', env) ? 'srun' : 'mpirun');
  const path = onPath(kind, env);
  if (!path) {
    const hint = kind === 'srun' ? 'run inside a Slurm allocation with srun on PATH, or use --launcher mpirun' : MPI_INSTALL_HINT;
    throw new CommunicationError(`launch: ${kind} not found on PATH: ${hint}`);
  }
  return { kind, path };
}

/** Physical cores of this host (Linux sysfs topology), else the logical CPU count. */
export function physicalCores(): number {
  try {
    const root = '/sys/devices/system/cpu';
    const cores = new Set<string>();
    for (const cpu of readdirSync(root).filter((d) => /^cpu\d+$/.test(d))) {
      const topology = join(root, cpu, 'topology');
      cores.add(`${readFileSync(join(topology, 'physical_package_id'), 'utf8').trim()}:${readFileSync(join(topology, 'core_id'), 'utf8').trim()}`);
    }
    if (cores.size > 0) return cores.size;
  } catch {
    // no sysfs topology: fall through
  }
  return availableParallelism();
}

export function thisMachine(): Machine {
  return { root: process.getuid?.() === 0, cores: physicalCores() };
}

export function jobCommand(spec: JobSpec, launcher: { kind: LauncherKind; path: string }, machine: Machine): JobCommand {
  if (!Number.isInteger(spec.ranks) || spec.ranks < 1) throw new UsageError(`launch: -n must be a whole number >= 1, got ${spec.ranks}`);
  if (spec.command.length === 0) throw new UsageError("launch: no command to run (put it after '--')");
  const extra = spec.launcherArgs ?? [];
  if (launcher.kind === 'srun') {
    if (spec.hostfile) throw new UsageError('launch: --hostfile does not apply under Slurm (the allocation picks the hosts); use --launcher mpirun to force it');
    // srun exports the whole environment (the restart count included) by default.
    return { kind: 'srun', program: launcher.path, args: ['--ntasks', String(spec.ranks), '--kill-on-bad-exit=1', ...extra, ...spec.command] };
  }
  const args = ['-np', String(spec.ranks)];
  if (machine.root) args.push('--allow-run-as-root');
  if (spec.hostfile) args.push('--hostfile', spec.hostfile);
  else if (spec.ranks > machine.cores) args.push('--oversubscribe');
  // Local ranks inherit the environment; -x also exports these to ranks on other hosts.
  args.push('-x', RESTART_ENV, '-x', MAX_RESTARTS_ENV);
  return { kind: 'mpirun', program: launcher.path, args: [...args, ...extra, ...spec.command] };
}
