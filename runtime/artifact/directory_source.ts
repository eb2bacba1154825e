import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactSource } from './source.js';

/** An artifact directory on disk (Node): a path, a file: URL string or a URL. */
export function directorySource(dir: string | URL): ArtifactSource {
  const root = dir instanceof URL ? fileURLToPath(dir) : resolve(dir.startsWith('file:') ? fileURLToPath(dir) : dir);
  return { location: root, read: (path) => readFile(join(root, path)) };
}
