import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitArtifact } from '../compiler/artifact/index.js';
import type { DType, HostTensor, Plan } from '../ir/index.js';
import type { DawnDevice } from '../runtime/index.js';
import { Executable, loadArtifact } from '../runtime/index.js';

/**
 * Compiled plans kept on disk, like the tuning table: the second `dawnflow run` of a model on
 * an adapter skips the ONNX import and the compile (onnx-proto's parse, the passes, codegen:
 * seconds for a resnet50 on a busy machine) and loads the plan as an artifact instead.
 *
 * An entry is keyed by everything the plan depends on: the model's bytes, the inputs' names,
 * dtypes and shapes, the compile options, the adapter and its limits, and the compiler itself
 * (a hash of the compiler's own files, so a changed compiler never reads an old plan). An input
 * the import bound as a constant (its value shapes the graph, e.g. a Reshape's shape fed as an
 * input) is part of the plan: the entry records a hash of its value, and another value is a
 * miss. Entries are artifact directories (emitArtifact, loadArtifact: every file checked
 * against its SHA-256), written under a temporary name and renamed into place, so a crash
 * leaves no half entry; the oldest are dropped past MAX_ENTRIES.
 */

/** Entries kept: each holds a copy of the model's weights. */
const MAX_ENTRIES = 8;
const META_FILE = 'plan-cache.json';

export interface PlanCacheKey {
  /** The model's bytes (or any bytes that identify its content). */
  readonly model: Uint8Array;
  /** The inputs it is compiled for. */
  readonly inputs: readonly { readonly name: string; readonly dtype: DType; readonly shape: readonly number[] }[];
  /** The compile options that shape the plan (plain JSON; limits come from the device). */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface CompiledForCache {
  readonly plan: Plan;
  /** Inputs the import bound as constants: their values are baked into the plan. */
  readonly constantInputs: readonly string[];
  /** Output name → .npy descr, kept with the plan. */
  readonly outputNpyTypes?: Readonly<Record<string, string>>;
}

export interface CachedExecutable {
  readonly executable: Executable;
  readonly constantInputs: readonly string[];
  readonly outputNpyTypes: Readonly<Record<string, string>>;
  /** Whether the plan came from the cache. */
  readonly hit: boolean;
}

interface EntryMeta {
  readonly constantInputs: Readonly<Record<string, string>>;
}

export function defaultPlanCacheDir(): string {
  const base = process.env.DAWNFLOW_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dawnflow');
  return join(base, 'plans');
}

let fingerprint: string | undefined;

/** A hash of the files of the compiler and what it builds on (ir/, targets/, compiler/), as they run. */
export function compilerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) hash.update(path.slice(root.length)).update(readFileSync(path));
    }
  };
  for (const part of ['ir', 'targets', 'compiler']) if (existsSync(join(root, part))) walk(join(root, part));
  return (fingerprint = hash.digest('hex'));
}

function entryKey(key: PlanCacheKey, device: DawnDevice): string {
  const hash = createHash('sha256');
  hash.update(compilerFingerprint());
  hash.update(createHash('sha256').update(key.model).digest());
  hash.update(JSON.stringify({ inputs: key.inputs, options: key.options, adapter: device.adapterDescription, limits: device.limits, features: [...device.features].sort() }));
  return hash.digest('hex').slice(0, 32);
}

function valueHash(t: HostTensor): string {
  const data = t.data as ArrayBufferView;
  return createHash('sha256').update(t.dtype).update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/**
 * The executable of `key` on `device`: loaded from the cache when an entry exists and its
 * constant-bound inputs hold the same values, otherwise compiled by `compile` and stored.
 */
export async function loadOrCompile(
  key: PlanCacheKey,
  inputValues: ReadonlyMap<string, HostTensor>,
  device: DawnDevice,
  compile: () => Promise<CompiledForCache>,
  dir = defaultPlanCacheDir(),
): Promise<CachedExecutable> {
  const entry = join(dir, entryKey(key, device));
  const cached = await tryLoad(entry, inputValues, device);
  if (cached) return cached;
  const compiled = await compile();
  const executable = await Executable.load(compiled.plan, device);
  try {
    await store(entry, compiled, inputValues, device);
  } catch {
    // A cache that cannot be written is only a slower next run.
  }
  return { executable, constantInputs: compiled.constantInputs, outputNpyTypes: compiled.outputNpyTypes ?? {}, hit: false };
}

async function tryLoad(entry: string, inputValues: ReadonlyMap<string, HostTensor>, device: DawnDevice): Promise<CachedExecutable | undefined> {
  let meta: EntryMeta;
  try {
    meta = JSON.parse(readFileSync(join(entry, META_FILE), 'utf8')) as EntryMeta;
  } catch {
    return undefined;
  }
  for (const [name, hash] of Object.entries(meta.constantInputs)) {
    const value = inputValues.get(name);
    if (!value || valueHash(value) !== hash) return undefined;
  }
  try {
    const artifact = await loadArtifact(entry, device);
    const now = new Date();
    utimesSync(join(entry, META_FILE), now, now);
    return { executable: artifact.executable, constantInputs: Object.keys(meta.constantInputs), outputNpyTypes: artifact.outputNpyTypes, hit: true };
  } catch {
    // A damaged entry (the loader checks every file's SHA-256) is compiled again and replaced.
    rmSync(entry, { recursive: true, force: true });
    return undefined;
  }
}

async function store(entry: string, compiled: CompiledForCache, inputValues: ReadonlyMap<string, HostTensor>, device: DawnDevice): Promise<void> {
  const constantInputs = Object.fromEntries(compiled.constantInputs.map((name) => [name, valueHash(inputValues.get(name)!)]));
  const tmp = `${entry}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await emitArtifact(compiled.plan, tmp, { compiledFor: device.limits, ...(compiled.outputNpyTypes ? { outputNpyTypes: compiled.outputNpyTypes } : {}) });
  writeFileSync(join(tmp, META_FILE), JSON.stringify({ constantInputs } satisfies EntryMeta));
  await rm(entry, { recursive: true, force: true });
  await mkdir(dirname(entry), { recursive: true });
  await rename(tmp, entry);
  evictOldest(dirname(entry));
}

/** Drops the least recently used entries past MAX_ENTRIES (and temporaries of crashed writers). */
function evictOldest(dir: string): void {
  const entries = readdirSync(dir)
    .filter((name) => !name.endsWith('.tmp'))
    .map((name) => {
      try {
        return { name, used: statSync(join(dir, name, META_FILE)).mtimeMs };
      } catch {
        return { name, used: 0 };
      }
    })
    .sort((a, b) => b.used - a.used);
  for (const { name } of entries.slice(MAX_ENTRIES)) rmSync(join(dir, name), { recursive: true, force: true });
}
