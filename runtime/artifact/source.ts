/**
 * Where an artifact's files come from: a directory (Node, directory_source.ts) or a URL (a web
 * page, url_source.ts). Everything past reading the bytes (checksums, parsing, loading onto the
 * device) is the same code for both.
 */
export interface ArtifactSource {
  /** The directory or the URL, as messages and `LoadedArtifact.dir` name it. */
  readonly location: string;
  /**
   * A file's bytes, by its path relative to the artifact (always '/'-separated, never leaving
   * the artifact: the manifest check refuses such paths before any read). Rejects with an Error
   * whose message says why (e.g. 'HTTP 404 Not Found'; Node's ENOENT errors keep their code).
   */
  read(path: string): Promise<Uint8Array>;
}

/** Whether a manifest path points outside the artifact: absolute, a drive, or '..' above the top. */
export function escapesArtifact(path: string): boolean {
  if (/^([\\/]|[A-Za-z]:)/.test(path)) return true;
  let depth = 0;
  for (const part of path.split(/[\\/]/)) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return true;
  }
  return false;
}
