import { UsageError } from '../ir/errors.js';

/**
 * A small argv parser: positionals, `--flag`, `--key value`, `--key=value` and repeatable
 * options. Unknown options are usage errors, so typos never pass silently.
 */

export interface OptionSpec {
  /** Takes a value (`--out dir`) rather than being a switch (`--verbose`). */
  readonly value: boolean;
  readonly repeat?: boolean;
  readonly alias?: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Map<string, string[]>;
  readonly flags: Set<string>;
}

export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, OptionSpec>>, command: string): ParsedArgs {
  const byAlias = new Map(Object.entries(specs).flatMap(([name, s]) => (s.alias ? [[s.alias, name] as const] : [])));
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.startsWith('--') ? arg.slice(2, eq > 0 ? eq : undefined) : (byAlias.get(arg.slice(1, eq > 0 ? eq : undefined)) ?? `-${arg.slice(1)}`);
    const spec = specs[key];
    if (!spec) throw new UsageError(`${command}: unknown option '${arg}'`);
    if (!spec.value) {
      if (eq > 0) throw new UsageError(`${command}: option '--${key}' takes no value`);
      flags.add(key);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    if (value === undefined) throw new UsageError(`${command}: option '--${key}' needs a value`);
    const list = values.get(key) ?? [];
    if (list.length && !spec.repeat) throw new UsageError(`${command}: option '--${key}' given twice`);
    list.push(value);
    values.set(key, list);
  }
  return { positionals, values, flags };
}

/** Splits `name=value`; the value may itself contain '='. */
export function splitAssignment(text: string, option: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new UsageError(`--${option} expects name=value, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}
