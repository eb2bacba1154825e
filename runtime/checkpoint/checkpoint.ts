import { readFile } from 'node:fs/promises';
import { ArtifactError, UsageError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { Executable } from '../executable.js';
import { type AtomicWriteHooks, PREVIOUS_SUFFIX, replaceFileKeepingPrevious } from '../io/atomic_file.js';
import { type CheckpointMetadata, decodeCheckpoint, encodeCheckpoint, type JsonValue } from './format.js';

/**
 * Checkpoints of an executable's states (parameters, optimizer moments, counters): saved
 * atomically with the previous one kept, verified on load, and restored so that the runs after
 * a resume give bit for bit what the uninterrupted runs would have.
 */

export interface SaveCheckpointOptions {
  /** The training step the states are after. */
  readonly step: number;
  /** The caller's random generator state (seed, counter...), returned as is by load. */
  readonly prngState?: JsonValue;
  /** Anything else JSON the caller wants back (epoch, data loader position...). */
  readonly extra?: { readonly [key: string]: JsonValue };
  /** For tests: hooks into the write, to play a crash at a given point. */
  readonly hooks?: AtomicWriteHooks;
}

export interface CheckpointInfo {
  /** The file the states came from (`<path>.prev` when load fell back to it). */
  readonly file: string;
  readonly step: number;
  readonly prngState: JsonValue;
  readonly extra: { readonly [key: string]: JsonValue };
  /** The name of the plan that saved it. */
  readonly plan: string;
  readonly savedAt: string;
}

export interface LoadCheckpointOptions {
  /**
   * When `path` is missing or fails verification, load `<path>.prev` instead (default false:
   * refuse with the ArtifactError).
   */
  readonly fallbackToPrevious?: boolean;
}

function infoOf(file: string, m: CheckpointMetadata): CheckpointInfo {
  return { file, step: m.step, prngState: m.prngState, extra: m.extra, plan: m.plan, savedAt: m.savedAt };
}

/**
 * Saves every state of `exe` (one consistent copy, after every run submitted so far) with the
 * step, PRNG state and extras. The file at `path` is replaced atomically and the one it
 * replaces is kept as `<path>.prev`.
 */
export async function saveCheckpoint(exe: Executable, path: string, options: SaveCheckpointOptions): Promise<CheckpointInfo> {
  if (!Number.isSafeInteger(options.step) || options.step < 0) throw new UsageError(`saveCheckpoint: step must be a whole number >= 0, got ${options.step}`);
  const { states } = await exe.snapshot();
  return writeCheckpoint(path, states, { plan: exe.plan.name, step: options.step, prngState: options.prngState ?? null, extra: options.extra ?? {} }, options.hooks);
}

/** Writes a checkpoint from host tensors (what saveCheckpoint does once it has the states). */
export async function writeCheckpoint(
  path: string,
  states: Readonly<Record<string, HostTensor>>,
  meta: { readonly plan: string; readonly step: number; readonly prngState: JsonValue; readonly extra: { readonly [key: string]: JsonValue } },
  hooks?: AtomicWriteHooks,
): Promise<CheckpointInfo> {
  let encoded: ReturnType<typeof encodeCheckpoint>;
  try {
    encoded = encodeCheckpoint(states, { ...meta, savedAt: new Date().toISOString() });
  } catch (cause) {
    if (cause instanceof ArtifactError) throw cause;
    // JSON.stringify throws on cycles and BigInts in the caller's extras.
    throw new UsageError(`saveCheckpoint: the PRNG state or extras are not JSON (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  try {
    await replaceFileKeepingPrevious(path, encoded.chunks, hooks);
  } catch (cause) {
    throw new ArtifactError(`${path}: writing the checkpoint failed (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`, { cause });
  }
  return infoOf(path, encoded.metadata);
}

/** Reads and verifies a checkpoint file without an executable. */
export async function readCheckpoint(path: string): Promise<{ info: CheckpointInfo; states: Map<string, HostTensor> }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === 'ENOENT';
    throw new ArtifactError(`${path}: cannot read the checkpoint (${missing ? 'no such file' : cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`, { cause });
  }
  const { metadata, states } = decodeCheckpoint(bytes, path);
  return { info: infoOf(path, metadata), states };
}

/**
 * Verifies the checkpoint, checks that it holds exactly the executable's states with their
 * dtypes and shapes, then writes them. Nothing is written unless everything checks out.
 */
export async function loadCheckpoint(exe: Executable, path: string, options: LoadCheckpointOptions = {}): Promise<CheckpointInfo> {
  let read: Awaited<ReturnType<typeof readCheckpoint>>;
  try {
    read = await readCheckpoint(path);
  } catch (error) {
    if (!options.fallbackToPrevious || !(error instanceof ArtifactError)) throw error;
    try {
      read = await readCheckpoint(path + PREVIOUS_SUFFIX);
    } catch (previous) {
      throw new ArtifactError(`${error.message}; and the previous checkpoint: ${previous instanceof Error ? previous.message : String(previous)}`, { cause: error });
    }
  }
  const { info, states } = read;
  for (const spec of exe.states) {
    const t = states.get(spec.name);
    if (!t) throw new ArtifactError(`${info.file}: no state '${spec.name}', which plan '${exe.plan.name}' has (was it saved from another model?)`);
    if (t.dtype !== spec.dtype || t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new ArtifactError(`${info.file}: state '${spec.name}' is ${t.dtype}[${t.shape.join(',')}], plan '${exe.plan.name}' has ${spec.dtype}[${spec.shape.join(',')}]`);
    }
  }
  const unknown = [...states.keys()].filter((name) => !exe.states.some((s) => s.name === name));
  if (unknown.length > 0) throw new ArtifactError(`${info.file}: state(s) ${unknown.map((n) => `'${n}'`).join(', ')} are not in plan '${exe.plan.name}'`);
  for (const spec of exe.states) exe.writeState(spec.name, states.get(spec.name)!);
  return info;
}
