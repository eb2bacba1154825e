import { existsSync, statSync } from 'node:fs';
import { isDawnflowError, UsageError } from '../ir/index.js';
import { EXPORT_USAGE, exportCommand } from './commands/export.js';
import { INSPECT_USAGE, inspectCommand } from './commands/inspect.js';
import { RUN_USAGE, runCommand } from './commands/run.js';
import type { CliIO } from './io.js';

/** The dawnflow command line: subcommands, help, and the one-line error contract. */

/** Artifact commands live with the artifact emitter; loaded only when used. */
async function compileArtifact(argv: readonly string[], io: CliIO): Promise<void> {
  const { compileCommand } = await import('../compiler/artifact/cli.js');
  await compileCommand(argv, { log: (line) => io.print(line) });
}

/** `run <dir>` runs a compiled artifact; `run <model.onnx>` imports and compiles first; `--browser` runs an artifact in headless Chromium. */
async function runModelOrArtifact(argv: readonly string[], io: CliIO): Promise<void> {
  const target = argv.find((a, i) => !a.startsWith('-') && (i === 0 || !argv[i - 1].startsWith('-') || argv[i - 1].includes('=')));
  const artifact = target !== undefined && existsSync(target) && statSync(target).isDirectory();
  if (argv.includes('--browser')) {
    if (!artifact) throw new UsageError(`run --browser runs a compiled artifact directory; '${target ?? ''}' is not one (dawnflow compile <model> -o <dir> first)`);
    const { runBrowserCommand } = await import('./browser/run_command.js');
    await runBrowserCommand(argv, io);
    return;
  }
  if (artifact) {
    const { runArtifactCommand } = await import('../compiler/artifact/cli.js');
    await runArtifactCommand(argv, { log: (line) => io.print(line) });
    return;
  }
  await runCommand(argv, io);
}

interface Command {
  readonly summary: string;
  /** Absent for commands announced but not built yet. */
  readonly run?: (argv: readonly string[], io: CliIO) => Promise<void>;
  readonly usage?: string;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  run: { summary: 'run an ONNX model or a compiled artifact on .npy/.pb inputs, write .npy outputs', run: runModelOrArtifact, usage: RUN_USAGE },
  inspect: { summary: "show a model's inputs, outputs, ops and unsupported ops", run: inspectCommand, usage: INSPECT_USAGE },
  compile: { summary: 'compile a model (.onnx or a DSL module) ahead of time into an artifact directory', run: compileArtifact },
  export: { summary: 'export a DSL model (module.ts) to an ONNX file', run: exportCommand, usage: EXPORT_USAGE },
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
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const [name, ...rest] = argv.filter((a) => a !== '--verbose' && a !== '-v');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.print(helpText());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.print('dawnflow 0.1.0');
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.print(command.usage ?? `dawnflow ${name}: ${command.summary}`);
      return 0;
    }
    if (!command.run) throw new UsageError(`'${name}' is not available yet: ${command.summary}`);
    await command.run(rest, io);
    return 0;
  } catch (e) {
    io.info(formatError(e, verbose));
    return e instanceof UsageError ? 2 : 1;
  }
}
