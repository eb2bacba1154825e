import { UsageError } from '../ir/errors.js';
import type { DimFact } from '../ir/dim_expr.js';

/**
 * The one argv parser of the CLI: positionals, `--flag`, `--key value`, `--key=value`, short
 * aliases and repeatable options. Unknown options are usage errors, so typos never pass
 * silently. Every command parses with it, and reads `name=value` options through the helpers
 * below, so a malformed option reads the same whichever command it was given to.
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

/** `-v, --verbose`: main() handles it, but every command accepts it where it stands. */
export const VERBOSE_OPTION: Readonly<Record<string, OptionSpec>> = { verbose: { value: false, alias: 'v' } };

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

/** The value of a non-repeatable option, if given. */
export function optionValue(args: ParsedArgs, option: string): string | undefined {
  return args.values.get(option)?.[0];
}

/** Splits `name=value` at the first '=' (a file path may hold more); `form` is how usage spells it. */
export function splitAssignment(text: string, option: string, command: string, form = 'name=value'): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new UsageError(`${command}: --${option} ${text}: expected ${form}`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** `--dim name=N` (repeatable): the size of each named symbolic dim, N ≥ 1. */
export function parseDims(args: ParsedArgs, command: string): Record<string, number | DimFact> {
  const dims: Record<string, number | DimFact> = {};
  for (const text of args.values.get('dim') ?? []) {
    const [name, value] = splitAssignment(text, 'dim', command);
    const given = parseDimValue(value);
    if (given === undefined) {
      throw new UsageError(`${command}: --dim ${name}=${value}: expected a size (N=8), bounds (N=1..64, N=..64, N=8..) and/or a divisor (S=%8, S=8..512%8)`);
    }
    const prior = dims[name];
    if (typeof given === 'number' || typeof prior === 'number') {
      if (prior !== undefined) throw new UsageError(`${command}: --dim ${name} given twice, once as a size`);
      dims[name] = given;
    } else dims[name] = { ...prior, ...given };
  }
  return dims;
}

/** `--<option> name=N` (repeatable): a size per name, each a whole number ≥ 1. */
export function parseSizes(args: ParsedArgs, option: string, command: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const text of args.values.get(option) ?? []) {
    const [name, value] = splitAssignment(text, option, command);
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${command}: --${option} ${name}=${value} must be a positive integer`);
    sizes[name] = n;
  }
  return sizes;
}

/** `8` → 8; `1..64`, `..64`, `8..` → bounds; `%8` → a divisor; `8..512%8` → both. Undefined when malformed. */
function parseDimValue(value: string): number | DimFact | undefined {
  const whole = (t: string) => (/^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined);
  const size = whole(value);
  if (size !== undefined) return size >= 1 ? size : undefined;
  const m = /^(?:(\d*)\.\.(\d*))?(?:%(\d+))?$/.exec(value);
  if (!m || value === '') return undefined;
  const fact: { min?: number; max?: number; multipleOf?: number } = {};
  if (m[1]) fact.min = whole(m[1]);
  if (m[2]) fact.max = whole(m[2]);
  if (m[3]) fact.multipleOf = whole(m[3]);
  if (fact.min !== undefined && fact.min < 1) return undefined;
  if (fact.max !== undefined && fact.max < (fact.min ?? 1)) return undefined;
  if (fact.multipleOf !== undefined && fact.multipleOf < 1) return undefined;
  return fact;
}

/** `--input-shape name=d0,d1,...` (repeatable): an input's shape, each dim a size ≥ 0. */
export function parseInputShapes(args: ParsedArgs, command: string): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const text of args.values.get('input-shape') ?? []) {
    const [name, value] = splitAssignment(text, 'input-shape', command, 'name=d0,d1,...');
    shapes[name] = value.split(',').map((d) => {
      const n = Number(d);
      if (d.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${command}: --input-shape ${text}: '${d}' is not a size`);
      return n;
    });
  }
  return shapes;
}

/** Exactly one positional argument, else a usage error that shows the command's usage. */
export function onePositional(args: ParsedArgs, command: string, what: string, usage: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`${command}: expected one ${what}, got ${args.positionals.length}\n${usage}`);
  return args.positionals[0];
}
