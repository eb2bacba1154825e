import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile } from '../../compiler/compile.js';
import type { Graph, HostTensor } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { Executable } from '../../runtime/index.js';

/** Generated modules import the runtime's sources in this repository (the package is not installed). */
export const RUNTIME_SOURCE_URL = pathToFileURL(resolve('runtime/index.ts')).href;

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `dawnflow-${prefix}-`));
}

/** Compiles in process and runs once: the reference an artifact must match exactly. */
export async function runInProcess(graph: Graph, device: DawnDevice, inputs: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const exe = await Executable.load(compile(graph, { limits: device.limits }), device);
  try {
    return await exe.run(inputs);
  } finally {
    exe.dispose();
  }
}

/** Copies an artifact so a test can damage the copy. */
export async function copyArtifact(dir: string, label: string): Promise<string> {
  const copy = await tempDir(label);
  await cp(dir, copy, { recursive: true });
  return copy;
}

/** Recomputes manifest entries after an edit, so the loader's later checks get their turn. */
export async function rehash(dir: string, ...paths: string[]): Promise<void> {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
  for (const path of paths) {
    const bytes = await readFile(join(dir, path));
    manifest.files[path] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  }
  await writeFile(manifestPath, JSON.stringify(manifest));
}

/** Edits a JSON file of an artifact in place. */
export async function editJson(path: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(path, JSON.stringify(json));
}
