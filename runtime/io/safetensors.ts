import { readFile } from 'node:fs/promises';
import { ArtifactError } from '../../ir/errors.js';
import { writeFileAtomic } from './atomic_file.js';
import { decodeSafetensors, safetensorsLayout, type SafetensorsContents, type TensorEntries } from './safetensors_codec.js';

/**
 * Safetensors files on disk (Node): reading one whole, writing one atomically. The format itself
 * (encode, decode, every check) is safetensors_codec.ts, which the browser bundle uses alone.
 */
export * from './safetensors_codec.js';

/** The one atomic writer, re-exported for the artifact emitter. */
export { writeFileAtomic };

/**
 * Writes atomically: a temporary file beside the target, fsync'd, then renamed over it. A crash
 * mid-write (a checkpoint during training) leaves the previous file whole, never a torn one.
 */
export async function writeSafetensors(path: string, tensors: TensorEntries, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  const { header, parts } = safetensorsLayout(tensors, metadata);
  await writeFileAtomic(path, [header, ...parts]);
}

/** Reads and decodes a whole file; a missing or unreadable one is an ArtifactError naming it. */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new ArtifactError(`${path}: cannot read (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`, { cause });
  }
  return decodeSafetensors(bytes, path);
}
