import { readFile } from 'node:fs/promises';
import { ArtifactError } from '../../ir/errors.js';
import type { SafetensorsContents, TensorEntries } from '../../ir/safetensors.js';
import { decodeSafetensors, safetensorsLayout } from '../../ir/safetensors.js';
import { writeFileAtomic } from './atomic_file.js';

/**
 * safetensors files: the format's codec (ir/safetensors.ts) over the file system.
 *
 * Writes atomically: a temporary file beside the target, fsync'd, then renamed over it. A crash
 * mid-write (a checkpoint during training) leaves the previous file whole, never a torn one.
 */
export async function writeSafetensors(path: string, tensors: TensorEntries, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  const { header, parts } = safetensorsLayout(tensors, metadata);
  await writeFileAtomic(path, [header, ...parts]);
}

/** Reads and decodes a whole file; faults are ArtifactErrors naming the path. */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new ArtifactError(`${path}: cannot read (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`, { cause });
  }
  return decodeSafetensors(bytes, path);
}
