import { isDawnflowError, UsageError } from '../ir/index.js';
import type { CliIO } from './io.js';

/** The dawnflow command line: subcommands, help, and the one-line error contract. */

/** A command's code: loaded when the command is used, so `run <artifact>` loads no compiler code. */
interface CommandModule {
  readonly run: (argv: readonly string[], io: CliIO) => Promise<unknown>;
  readonly usage: string;
}

interface Command {
  readonly summary: string;
  /** Absent for commands announced but not built yet. */
  readonly load?: () => Promise<CommandModule>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  run: {
    summary: 'run an ONNX model, a DSL module or a compiled artifact on .npy/.pb inputs, write .npy outputs',
    load: async () => {
      const m = await import('./commands/run.js');
      return { run: m.runCommand, usage: m.RUN_USAGE };
    },
  },
  inspect: {
    summary: "show a model's inputs, outputs, ops and unsupported ops",
    load: async () => {
      const m = await import('./commands/inspect.js');
      return { run: m.inspectCommand, usage: m.INSPECT_USAGE };
    },
  },
  compile: {
    summary: 'compile a model (.onnx or a DSL module) ahead of time into an artifact directory',
    load: async () => {
      const m = await import('./commands/compile.js');
      return { run: m.compileCommand, usage: m.COMPILE_USAGE };
    },
  },
  export: {
    summary: 'export a DSL model (module.ts) to an ONNX file',
    load: async () => {
      const m = await import('./commands/export.js');
      return { run: m.exportCommand, usage: m.EXPORT_USAGE };
    },
  },
  launch: {
    summary: 'run a command as N MPI ranks (mpirun/srun), restarting every rank when one fails',
    load: async () => {
      const m = await import('./commands/launch.js');
      return { run: m.launchCommand, usage: m.LAUNCH_USAGE };
    },
  },
  bench: { summary: "benchmark against the peers on this device: use 'npm run bench' (not a CLI command yet)" },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: dawnflow <command> [options]',
    '',
    'dawnflow compiles dataflow graphs (ONNX models) to WGSL and runs them on WebGPU (Dawn).',
    '',
    'commands:',
    ...lines,
    '',
    "options: -h, --help (also 'dawnflow <command> --help'), -v, --verbose (stacks with errors)",
  ].join('\n');
}

/** `dawnflow: <code>: <message>`, one line, plus the stack when verbose. */
export function formatError(e: unknown, verbose: boolean): string {
  const code = isDawnflowError(e) ? e.code : 'INTERNAL';
  const message = e instanceof Error ? e.message : String(e);
  const [first, ...rest] = message.split('\n');
  let text = `dawnflow: ${code}: ${first}`;
  if (verbose) {
    if (rest.length) text += `\n${rest.join('\n')}`;
    if (e instanceof Error && e.stack) text += `\n${e.stack}`;
  } else if (e instanceof UsageError && rest.length) text += `\n${rest.join('\n')}`;
  return text;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 error, 2 usage error). */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  // What follows '--' belongs to the command `launch` runs, not to dawnflow.
  const cut = argv.indexOf('--');
  const own = cut < 0 ? argv : argv.slice(0, cut);
  const verbose = own.includes('--verbose') || own.includes('-v');
  const [name, ...rest] = [...own.filter((a) => a !== '--verbose' && a !== '-v'), ...(cut < 0 ? [] : argv.slice(cut))];
  const ownRest = cut < 0 ? rest : rest.slice(0, rest.indexOf('--'));
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.print(helpText());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.print('dawnflow 0.1.0');
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const module = command.load ? await command.load() : undefined;
    if (ownRest.includes('--help') || ownRest.includes('-h')) {
      io.print(module?.usage ?? `dawnflow ${name}: ${command.summary}`);
      return 0;
    }
    if (!module) throw new UsageError(`'${name}' is not available yet: ${command.summary}`);
    await module.run(rest, io);
    return 0;
  } catch (e) {
    io.info(formatError(e, verbose));
    return e instanceof UsageError ? 2 : 1;
  }
}
