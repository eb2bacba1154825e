import { createHash } from 'node:crypto';
import type { DType, TensorData } from '../../ir/dtype.js';
import { ArtifactError } from '../../ir/errors.js';
import { numel } from '../../ir/shape.js';
import type { HostTensor } from '../../ir/tensor.js';
import { decodeSafetensors, SAFETENSORS_DTYPE } from '../../ir/safetensors.js';

/**
 * The checkpoint file: a safetensors file (any safetensors reader can open the parameters) whose
 * `__metadata__` carries one JSON document under `dawnflow.checkpoint`: format version, step,
 * PRNG state, the caller's extras, and the SHA-256 of the data section. The digest is what
 * catches a torn or bit-rotted file the structure alone would not (a flipped bit in a weight).
 */

export const CHECKPOINT_FORMAT = 'dawnflow-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const METADATA_KEY = 'dawnflow.checkpoint';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface CheckpointMetadata {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  /** The plan whose states these are (a name, for messages; the states are checked one by one). */
  readonly plan: string;
  readonly step: number;
  readonly prngState: JsonValue;
  readonly extra: { readonly [key: string]: JsonValue };
  readonly savedAt: string;
  /** SHA-256 (hex) of the data section: every tensor's bytes, in file order. */
  readonly sha256: string;
  readonly dataBytes: number;
}

const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { f32: 4, f16: 2, i32: 4, u32: 4, bool: 1 };
const HOST_ARRAY = { f32: Float32Array, f16: Uint16Array, i32: Int32Array, u32: Uint32Array, bool: Uint8Array } as const;

/** A tensor's bytes as safetensors stores them: little-endian, bool as 0/1 bytes, f32 never f64. */
function tensorBytes(name: string, t: HostTensor): Uint8Array {
  const n = numel(t.shape);
  if (t.data.length !== n) throw new ArtifactError(`checkpoint: state '${name}' holds ${t.data.length} values for shape [${t.shape.join(',')}]`);
  let data: TensorData = t.data;
  if (t.dtype === 'bool') data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  else if (!(data instanceof HOST_ARRAY[t.dtype])) data = HOST_ARRAY[t.dtype].from(data);
  return new Uint8Array(data.buffer, data.byteOffset, n * BYTES_PER_ELEMENT[t.dtype]);
}

/** The file as chunks (header, then each tensor's bytes), ready for an atomic write. */
export function encodeCheckpoint(
  states: Readonly<Record<string, HostTensor>>,
  meta: Omit<CheckpointMetadata, 'format' | 'version' | 'sha256' | 'dataBytes'>,
): { chunks: Uint8Array[]; metadata: CheckpointMetadata } {
  const hash = createHash('sha256');
  const entries: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(states)) {
    const bytes = tensorBytes(name, t);
    entries[name] = { dtype: SAFETENSORS_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    hash.update(bytes);
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  const metadata: CheckpointMetadata = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...meta, sha256: hash.digest('hex'), dataBytes: offset };
  const json = new TextEncoder().encode(JSON.stringify({ __metadata__: { [METADATA_KEY]: JSON.stringify(metadata) }, ...entries }));
  // Spaces pad the header so the data starts 8-byte aligned, as the format recommends.
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  const header = new Uint8Array(8 + padded.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded.length), true);
  header.set(padded, 8);
  return { chunks: [header, ...parts], metadata };
}

/**
 * Parses and verifies a checkpoint file's bytes: safetensors structure, metadata, then the
 * digest of the data. Every fault is an ArtifactError naming `file`.
 */
export function decodeCheckpoint(bytes: Uint8Array, file: string): { metadata: CheckpointMetadata; states: Map<string, HostTensor> } {
  const { tensors, metadata: raw } = decodeSafetensors(bytes, file);
  const text = raw[METADATA_KEY];
  if (text === undefined) throw new ArtifactError(`${file}: not a dawnflow checkpoint (no '${METADATA_KEY}' in the safetensors metadata)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ArtifactError(`${file}: the checkpoint metadata is not valid JSON (corrupted?)`, { cause });
  }
  const metadata = checkMetadata(parsed, file);
  const headerBytes = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const data = bytes.subarray(8 + headerBytes);
  if (data.byteLength !== metadata.dataBytes) {
    throw new ArtifactError(`${file}: ${data.byteLength} bytes of tensor data, the checkpoint recorded ${metadata.dataBytes} (truncated?)`);
  }
  const digest = createHash('sha256').update(data).digest('hex');
  if (digest !== metadata.sha256) throw new ArtifactError(`${file}: the tensor data's SHA-256 is ${digest}, the checkpoint recorded ${metadata.sha256} (corrupted)`);
  return { metadata, states: tensors };
}

function checkMetadata(value: unknown, file: string): CheckpointMetadata {
  const fail = (why: string): never => {
    throw new ArtifactError(`${file}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('the checkpoint metadata is not an object');
  const m = value as Record<string, unknown>;
  if (m.format !== CHECKPOINT_FORMAT) fail(`format ${JSON.stringify(m.format)} is not '${CHECKPOINT_FORMAT}'`);
  if (typeof m.version !== 'number' || m.version > CHECKPOINT_VERSION) fail(`checkpoint version ${String(m.version)} is newer than this runtime's ${CHECKPOINT_VERSION}`);
  if (typeof m.step !== 'number' || !Number.isSafeInteger(m.step) || m.step < 0) fail(`step ${JSON.stringify(m.step)} is not a whole number`);
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) fail('the checkpoint records no valid SHA-256');
  if (typeof m.dataBytes !== 'number' || !Number.isSafeInteger(m.dataBytes) || m.dataBytes < 0) fail('the checkpoint records no data size');
  if (typeof m.extra !== 'object' || m.extra === null || Array.isArray(m.extra)) fail('extra is not an object');
  if (typeof m.plan !== 'string' || typeof m.savedAt !== 'string') fail('the checkpoint metadata lacks plan or savedAt');
  return { ...(m as unknown as CheckpointMetadata), prngState: (m.prngState ?? null) as JsonValue };
}
