import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../ir/index.js';

/** A file's bytes; a missing, unreadable or directory path is an InputError (empty files are the parsers' to judge). */
export function readBytes(path: string, what: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${what} '${path}' is a directory`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`);
  }
  return readFileSync(path);
}

/** Whether `path` names a directory (an artifact, where a model file is a file). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A DSL module's file name: `.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`. */
export function isModulePath(path: string): boolean {
  return /\.[cm]?[jt]s$/i.test(path);
}
