import { randomBytes } from 'node:crypto';
import { copyFile, link, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replacing a file so that a crash at any moment leaves a whole file behind: the new contents
 * go to a temporary file beside the target, are fsync'd, and only then renamed over it. The
 * file being replaced is kept as `<path>.prev`, itself replaced atomically, so the previous
 * checkpoint survives even a new one that turns out bad.
 *
 * At every instant `path` is either the old file or the new one, whole: the previous one is
 * hard-linked (or, where links are refused, copied) to `.prev` before the rename, never moved.
 */

/** The suffix of the kept previous version. */
export const PREVIOUS_SUFFIX = '.prev';

/** Points in a write a test may stop at, to play a crash there. */
export type WriteStage = 'data-written' | 'previous-kept' | 'renamed';

export interface AtomicWriteHooks {
  /** After each chunk reaches the temporary file (bytes so far, total). */
  readonly onChunk?: (written: number, total: number) => void | Promise<void>;
  readonly onStage?: (stage: WriteStage) => void | Promise<void>;
}

/** Largest piece handed to one write(): bounds the time between two chunk hooks. */
const PIECE = 1 << 20;

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Removes temporary files a killed writer of `path` left behind: those named for a process
 * that no longer exists. A live writer's file is left alone.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  const removed: string[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** Writes `chunks` to `path` atomically, keeping the file it replaces as `<path>.prev`. */
export function replaceFileKeepingPrevious(path: string, chunks: readonly Uint8Array[], hooks: AtomicWriteHooks = {}): Promise<void> {
  return writeFileAtomic(path, chunks, { keepPrevious: true, hooks });
}

export interface AtomicWriteOptions {
  /** Keep the replaced file as `<path>.prev` (checkpoints); stale temporaries are cleaned first. */
  readonly keepPrevious?: boolean;
  readonly hooks?: AtomicWriteHooks;
}

/** Writes `chunks` to `path` atomically: temporary file, fsync, rename, directory sync. */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[], options: AtomicWriteOptions = {}): Promise<void> {
  const hooks = options.hooks ?? {};
  if (options.keepPrevious) await removeStaleTemps(path);
  const dir = dirname(path);
  const unique = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const temp = join(dir, `${tempPrefix(path)}${unique}.tmp`);
  const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const file = await open(temp, 'wx');
  try {
    let written = 0;
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength; at += PIECE) {
        const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + PIECE));
        await file.write(piece);
        written += piece.byteLength;
        await hooks.onChunk?.(written, total);
      }
    }
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await file.close();
  try {
    await hooks.onStage?.('data-written');
    if (options.keepPrevious) {
      await keepPrevious(path, join(dir, `${tempPrefix(path)}${unique}.prev.tmp`));
      await hooks.onStage?.('previous-kept');
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
  await hooks.onStage?.('renamed');
}

/** Makes `<path>.prev` the current `path` (if there is one), replacing the old `.prev` atomically. */
async function keepPrevious(path: string, staging: string): Promise<void> {
  try {
    await link(path, staging);
  } catch (error) {
    if (isMissing(error)) return;
    // Some file systems refuse hard links: a copy, synced, does the same job more slowly.
    await copyFile(path, staging);
    const copy = await open(staging, 'r+');
    await copy.sync().finally(() => copy.close());
  }
  try {
    await rename(staging, path + PREVIOUS_SUFFIX);
  } finally {
    // rename() does nothing when both names already link the same file (a writer killed after
    // keeping the previous one left it so): the staging link is then still there.
    await unlink(staging).catch(() => undefined);
  }
}

/** The renames are durable only once the directory is; not every platform lets us sync one. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle) await handle.sync().catch(() => undefined).finally(() => handle.close());
}
