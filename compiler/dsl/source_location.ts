import { DawnflowError } from '../../ir/index.js';

/**
 * Where user code called into the DSL: the first stack frame outside dawnflow's own layers.
 * Definition-time errors (a matmul of mismatched shapes) then point at the user's line, not at
 * shape inference.
 */
const INTERNAL = [/[/\\](compiler|ir|targets|runtime)[/\\]/, /node:internal/, /[/\\]node_modules[/\\]/];

export function userSourceLocation(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (!match) continue;
    const location = match[1].replace(/^file:\/\//, '');
    if (INTERNAL.some((re) => re.test(location))) continue;
    return location;
  }
  return undefined;
}

/**
 * The same error with the user's source location appended, same class and code, the original
 * as its cause. Errors that already carry a location pass through unchanged.
 */
export function withUserLocation(error: unknown): unknown {
  if (!(error instanceof DawnflowError) || / \(at [^()]+\)$/.test(error.message)) return error;
  const limit = Error.stackTraceLimit;
  // Nested modules put many DSL frames above the user's: look deeper than the default 10.
  Error.stackTraceLimit = 64;
  const location = userSourceLocation(new Error().stack);
  Error.stackTraceLimit = limit;
  if (!location) return error;
  const ErrorClass = error.constructor as new (message: string, options?: { cause?: unknown }) => DawnflowError;
  return new ErrorClass(`${error.message} (at ${location})`, { cause: error });
}
