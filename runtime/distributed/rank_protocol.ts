import { type DawnflowError, errorClassOf } from '../../ir/errors.js';
import type { SharedWorld } from './shared_world.js';

/** What the in-process launcher and its rank workers exchange. */

/** A rank's entry: the function `name` exported by `module` (a file URL), called as `run(comm, input)`. */
export interface RankEntry {
  readonly module: string;
  readonly name: string;
}

export interface RankWorkerData {
  readonly world: SharedWorld;
  readonly rank: number;
  readonly entry: RankEntry;
  readonly input: unknown;
}

export interface ErrorJson {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly stack?: string;
}

export type RankMessage = { readonly kind: 'result'; readonly value: unknown } | { readonly kind: 'error'; readonly error: ErrorJson };

export function errorToJson(error: unknown): ErrorJson {
  if (error instanceof Error) return { name: error.name, code: (error as Partial<DawnflowError>).code, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** The error again, as its dawnflow class where it had one; the rank's stack kept. */
export function errorFromJson(json: ErrorJson): Error {
  const Kind = errorClassOf(json.code);
  const error = Kind ? new Kind(json.message) : new Error(json.message);
  if (!Kind) error.name = json.name;
  if (json.stack) error.stack = json.stack;
  return error;
}
