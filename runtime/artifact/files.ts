import { ArtifactError } from '../../ir/errors.js';
import type { ArtifactManifest, ManifestEntry } from '../../ir/artifact_format.js';
import { ARTIFACT_FORMAT, ARTIFACT_VERSION, MANIFEST_FILE } from '../../ir/artifact_format.js';
import { type ArtifactSource, escapesArtifact } from './source.js';

/**
 * Reading an artifact's files: the manifest first, then every file it lists, each checked
 * against its recorded size and SHA-256 before anything parses it. A parser then only ever sees
 * bytes the compiler wrote, so its own checks guard against compiler bugs and hand edits that
 * also rewrote the manifest, not against torn copies. The files come from an ArtifactSource (a
 * directory in Node, a URL in a web page); checksums are Web Crypto's, which both have.
 */

export interface VerifiedFiles {
  readonly manifest: ArtifactManifest;
  /** Path relative to the artifact directory → contents, every one checksum-verified. */
  readonly contents: ReadonlyMap<string, Uint8Array>;
}

function reason(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  return cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
}

async function readManifest(source: ArtifactSource): Promise<ArtifactManifest> {
  let text: string;
  try {
    text = new TextDecoder().decode(await source.read(MANIFEST_FILE));
  } catch (cause) {
    throw new ArtifactError(`${source.location}: missing ${MANIFEST_FILE} (${reason(cause)}); is this an artifact directory written by \`dawnflow compile\`?`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ArtifactError(`${MANIFEST_FILE}: not valid JSON (${reason(cause)})`, { cause });
  }
  const fail = (why: string): never => {
    throw new ArtifactError(`${MANIFEST_FILE}: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== ARTIFACT_FORMAT) fail(`format ${JSON.stringify(m.format)} is not '${ARTIFACT_FORMAT}'`);
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) fail(`version ${JSON.stringify(m.version)} is not a format version`);
  if ((m.version as number) > ARTIFACT_VERSION) {
    fail(`artifact format version ${m.version as number} is newer than this runtime reads (${ARTIFACT_VERSION}): upgrade dawnflow, or recompile the model with this version`);
  }
  if (typeof m.files !== 'object' || m.files === null || Array.isArray(m.files)) fail("'files' is not an object");
  for (const [path, entry] of Object.entries(m.files as Record<string, unknown>)) {
    const e = entry as Partial<ManifestEntry> | null;
    if (typeof e?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256) || typeof e.bytes !== 'number' || !Number.isSafeInteger(e.bytes) || e.bytes < 0) {
      fail(`the entry of '${path}' is not {sha256, bytes}`);
    }
    if (escapesArtifact(path) || path === MANIFEST_FILE) fail(`'${path}' is not a file inside the artifact`);
  }
  return m as unknown as ArtifactManifest;
}

async function readVerified(source: ArtifactSource, path: string, entry: ManifestEntry): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(path);
  } catch (cause) {
    throw new ArtifactError(`${source.location}: missing file '${path}' listed in ${MANIFEST_FILE} (${reason(cause)})`, { cause });
  }
  if (bytes.length !== entry.bytes) {
    throw new ArtifactError(`${path}: ${bytes.length} bytes where ${MANIFEST_FILE} records ${entry.bytes} (truncated or modified)`);
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== entry.sha256) {
    throw new ArtifactError(`${path}: SHA-256 ${sha256.slice(0, 16)}… does not match ${MANIFEST_FILE}'s ${entry.sha256.slice(0, 16)}… (the file is corrupted or was modified)`);
  }
  return bytes;
}

/** The SHA-256 of some bytes as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Reads the manifest and every file it lists, in parallel; `required` must be among them. */
export async function readVerifiedFiles(source: ArtifactSource, required: readonly string[]): Promise<VerifiedFiles> {
  const manifest = await readManifest(source);
  for (const path of required) {
    if (!(path in manifest.files)) throw new ArtifactError(`${MANIFEST_FILE}: lists no '${path}', which every artifact has`);
  }
  const read = await Promise.all(Object.entries(manifest.files).map(async ([path, entry]) => [path, await readVerified(source, path, entry)] as const));
  return { manifest, contents: new Map(read) };
}
