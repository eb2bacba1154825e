import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedTensors } from './case_inputs.js';

/**
 * A peer's checked outputs on disk, for the parent to compare across processes: one raw
 * little-endian float32 file per output and an index of names and shapes.
 */

interface IndexEntry {
  readonly name: string;
  readonly file: string;
  readonly shape: readonly number[];
}

export function writeOutputs(dir: string, outputs: NamedTensors): void {
  mkdirSync(dir, { recursive: true });
  const index: IndexEntry[] = Object.entries(outputs).map(([name, t], i) => {
    const file = `${i}.f32`;
    writeFileSync(join(dir, file), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return { name, file, shape: [...t.shape] };
  });
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

export function readOutputs(dir: string): NamedTensors {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as IndexEntry[];
  const out: NamedTensors = {};
  for (const e of index) {
    const bytes = readFileSync(join(dir, e.file));
    const data = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(data.buffer).set(bytes);
    out[e.name] = { shape: e.shape, data };
  }
  return out;
}
