import { UsageError } from '../../ir/index.js';
import { optionValue, parseArgs, VERBOSE_OPTION } from '../args.js';
import type { CliIO } from '../io.js';
import type { LauncherKind } from '../launch/job_command.js';
import { launchJob } from '../launch/launcher.js';

export const LAUNCH_USAGE = `usage: dawnflow launch -n <ranks> [--hostfile <file>] [--max-restarts <k>] [--launcher mpirun|srun] [--launcher-arg <arg>]... -- <command...>

Runs <command> as <ranks> MPI processes: with mpirun (Open MPI), or srun inside a Slurm
allocation (SLURM_JOB_ID set). As root it passes --allow-run-as-root; with more ranks than
cores and no hostfile, --oversubscribe. When a rank fails, MPI stops the whole job; launch
then starts every rank again, up to <k> times (default 0), with DAWNFLOW_RESTART=<i> in each
rank's environment, so that a training program resumes from its newest checkpoint. One line
per event on stderr: which rank failed and how, and which restart follows.`;

const LAUNCHERS: readonly LauncherKind[] = ['mpirun', 'srun'];

function wholeNumber(text: string | undefined, option: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`launch: ${option} must be a whole number >= ${min}, got '${text}'`);
  return n;
}

export async function launchCommand(argv: readonly string[], io: CliIO): Promise<void> {
  const cut = argv.indexOf('--');
  if (cut < 0) throw new UsageError(`launch: put the command to run after '--'\n${LAUNCH_USAGE}`);
  const args = parseArgs(
    argv.slice(0, cut),
    {
      ranks: { value: true, alias: 'n' },
      np: { value: true },
      hostfile: { value: true },
      'max-restarts': { value: true },
      launcher: { value: true },
      'launcher-arg': { value: true, repeat: true },
      ...VERBOSE_OPTION,
    },
    'launch',
  );
  if (args.positionals.length > 0) throw new UsageError(`launch: unexpected '${args.positionals[0]}' before '--'`);
  const ranks = wholeNumber(optionValue(args, 'ranks') ?? optionValue(args, 'np'), '-n', 1);
  if (ranks === undefined) throw new UsageError(`launch: -n <ranks> is required\n${LAUNCH_USAGE}`);
  const launcher = optionValue(args, 'launcher');
  if (launcher !== undefined && !LAUNCHERS.includes(launcher as LauncherKind)) throw new UsageError(`launch: --launcher must be ${LAUNCHERS.join(' or ')}, got '${launcher}'`);
  const hostfile = optionValue(args, 'hostfile');
  await launchJob(
    {
      ranks,
      ...(hostfile !== undefined ? { hostfile } : {}),
      ...(launcher !== undefined ? { launcher: launcher as LauncherKind } : {}),
      launcherArgs: args.values.get('launcher-arg') ?? [],
      maxRestarts: wholeNumber(optionValue(args, 'max-restarts'), '--max-restarts', 0) ?? 0,
      command: argv.slice(cut + 1),
    },
    io,
  );
}
