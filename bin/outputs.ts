import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../ir/index.js';
import { formatType } from '../ir/index.js';
import { encodeNpy } from '../runtime/io/npy.js';
import type { CliIO } from './io.js';

/**
 * The CLI's one output writer: each output to `<dir>/<name>.npy`, in the element type of the
 * source model where it has one (an ONNX int64 output is written as int64, not as the i32 it
 * was computed in), and one line `<name>: <type> -> <file>` per output on stdout.
 */

export interface OutputSpec {
  readonly name: string;
  /** The .npy descr to write it as (e.g. '<i8'); absent: the tensor's own dtype. */
  readonly npyDescr?: string;
}

/** A tensor name as a file name: [A-Za-z0-9._-] only, never empty, '.' or '..'. */
export function sanitizeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}

/** One file name per output, unique ignoring case (names that sanitize alike get _1, _2, ...). */
export function outputFileNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = sanitizeName(name);
    let file = base;
    for (let k = 1; used.has(file.toLowerCase()); k++) file = `${base}_${k}`;
    used.add(file.toLowerCase());
    return `${file}.npy`;
  });
}

/** Writes every output; returns output name → the file written. */
export function writeOutputs(dir: string, outputs: readonly OutputSpec[], results: Readonly<Record<string, HostTensor>>, io: CliIO): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files = outputFileNames(outputs.map((o) => o.name));
  const written: Record<string, string> = {};
  outputs.forEach((output, i) => {
    const tensor = results[output.name];
    const path = join(dir, files[i]);
    writeFileSync(path, encodeNpy(tensor, output.npyDescr));
    written[output.name] = path;
    io.print(`${output.name}: ${formatType(tensor)} -> ${path}`);
  });
  return written;
}
