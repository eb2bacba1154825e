import type { DType, TensorData } from './dtype.js';
import { hostBytesPerElement } from './dtype.js';
import { ArtifactError } from './errors.js';
import { numel } from './shape.js';
import type { HostTensor } from './tensor.js';

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a
 * JSON header mapping each tensor name to {dtype, shape, data_offsets} (offsets relative to the
 * data section that follows), then the raw little-endian bytes. Artifacts keep their weights in
 * it and checkpoints their parameters, so other tools can read both.
 *
 * This is the codec, bytes in memory both ways. It lives in ir/ because the compiler writes
 * artifacts and the runtime reads them (and writes checkpoints), and neither may import the
 * other; reading and writing files is runtime/io/safetensors.ts.
 *
 * Reading trusts nothing: every header field, offset and size is checked, and a fault names the
 * file and the tensor, because a truncated download is the common way to get here.
 */

/** The safetensors dtype code of each dawnflow dtype (bool is one byte per element here). */
export const SAFETENSORS_DTYPE: Readonly<Record<DType, string>> = { f32: 'F32', f16: 'F16', i32: 'I32', u32: 'U32', bool: 'BOOL' };
const FROM_CODE = new Map(Object.entries(SAFETENSORS_DTYPE).map(([dtype, code]) => [code, dtype as DType]));
const HOST_ARRAY = { f32: Float32Array, f16: Uint16Array, i32: Int32Array, u32: Uint32Array, bool: Uint8Array } as const;
/** The upstream reader refuses larger headers; so do we, before allocating for one. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export type TensorEntries = ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>;

export interface SafetensorsContents {
  readonly tensors: Map<string, HostTensor>;
  /** The header's free-form string map (`__metadata__`). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Where a tensor sits in the data section, as the header declares it. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

function entriesOf(tensors: TensorEntries): [string, HostTensor][] {
  return tensors instanceof Map ? [...tensors] : Object.entries(tensors);
}

/** A tensor's bytes as the file stores them: little-endian, bool one byte of 0/1, f32 never f64. */
function fileBytes(name: string, t: HostTensor): Uint8Array {
  const n = numel(t.shape);
  if (t.data.length !== n) throw new ArtifactError(`safetensors: tensor '${name}' holds ${t.data.length} values for shape [${t.shape.join(',')}]`);
  // Host arrays are little-endian on every platform Dawn runs on, as the format wants.
  let data: TensorData = t.data;
  if (t.dtype === 'bool') data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  else if (!(data instanceof HOST_ARRAY[t.dtype])) data = HOST_ARRAY[t.dtype].from(data);
  return new Uint8Array(data.buffer, data.byteOffset, n * hostBytesPerElement(t.dtype));
}

/** A file as its pieces: the header (with its length prefix), then each tensor's bytes. */
export interface SafetensorsLayout {
  readonly header: Uint8Array;
  readonly parts: readonly Uint8Array[];
}

/** The file's pieces without joining them: a writer streams them (large checkpoints). */
export function safetensorsLayout(tensors: TensorEntries, metadata: Readonly<Record<string, string>> = {}): SafetensorsLayout {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entriesOf(tensors)) {
    if (name === METADATA_KEY) throw new ArtifactError(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    const bytes = fileBytes(name, t);
    header[name] = { dtype: SAFETENSORS_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Spaces pad the header so the data section starts 8-byte aligned, as the format recommends.
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  const prefix = new Uint8Array(8 + padded.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded.length), true);
  prefix.set(padded, 8);
  return { header: prefix, parts };
}

/** The whole file in memory; large files are better streamed from safetensorsLayout (runtime/io/safetensors.ts). */
export function encodeSafetensors(tensors: TensorEntries, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const { header, parts } = safetensorsLayout(tensors, metadata);
  const out = new Uint8Array(header.length + parts.reduce((s, p) => s + p.length, 0));
  out.set(header);
  let at = header.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Parses and checks the header; `file` names the source in errors. */
export function readSafetensorsHeader(bytes: Uint8Array, file: string): { entries: SafetensorsEntry[]; metadata: Record<string, string>; dataStart: number } {
  const fail = (why: string): never => {
    throw new ArtifactError(`${file}: ${why}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for a safetensors file (truncated?)`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerBytes > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerBytes} exceeds ${MAX_HEADER_BYTES} bytes (not a safetensors file?)`);
  const dataStart = 8 + Number(headerBytes);
  if (dataStart > bytes.length) fail(`the header claims ${headerBytes} bytes but the file has ${bytes.length - 8} after the length (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (cause) {
    throw new ArtifactError(`${file}: the header is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const fields = header as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  const rawMetadata = fields[METADATA_KEY];
  if (rawMetadata !== undefined) {
    if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata)) fail(`'${METADATA_KEY}' is not an object`);
    for (const [k, v] of Object.entries(rawMetadata as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`'${METADATA_KEY}.${k}' is not a string`);
      metadata[k] = v as string;
    }
  }
  const dataBytes = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    if (name === METADATA_KEY) continue;
    entries.push(checkEntry(name, raw, dataBytes, file));
  }
  // The format forbids holes and overlaps: the tensors tile the data section exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered) fail(`tensor '${e.name}' at bytes [${e.begin}, ${e.end}) overlaps another tensor`);
    if (e.begin > covered) fail(`bytes [${covered}, ${e.begin}) before tensor '${e.name}' belong to no tensor`);
    covered = e.end;
  }
  if (covered !== dataBytes) fail(`${dataBytes - covered} bytes after the last tensor belong to no tensor`);
  return { entries, metadata, dataStart };
}

function checkEntry(name: string, raw: unknown, dataBytes: number, file: string): SafetensorsEntry {
  const fail = (why: string): never => {
    throw new ArtifactError(`${file}: tensor '${name}': ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('its header entry is not an object');
  const { dtype: code, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  const dtype = typeof code === 'string' ? FROM_CODE.get(code) : undefined;
  if (dtype === undefined) fail(`unsupported dtype ${JSON.stringify(code)} (supported: ${[...FROM_CODE.keys()].join(', ')})`);
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) fail(`shape ${JSON.stringify(shape)} is not a list of sizes`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    fail(`data_offsets ${JSON.stringify(offsets)} is not a [begin, end] pair`);
  }
  const [begin, end] = offsets as number[];
  const needed = numel(shape as number[]) * hostBytesPerElement(dtype!);
  if (end - begin !== needed) fail(`${dtype}[${(shape as number[]).join(',')}] needs ${needed} bytes, data_offsets span ${end - begin}`);
  if (end > dataBytes) fail(`its bytes [${begin}, ${end}) run past the data section's ${dataBytes} bytes (truncated?)`);
  return { name, dtype: dtype!, shape: shape as number[], begin, end };
}

/** Decodes a whole safetensors file; each tensor gets its own (aligned) copy of its bytes. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsContents {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, file);
  const tensors = new Map<string, HostTensor>();
  for (const e of entries) {
    const start = bytes.byteOffset + dataStart + e.begin;
    const own = bytes.buffer.slice(start, start + (e.end - e.begin)) as ArrayBuffer;
    tensors.set(e.name, { dtype: e.dtype, shape: [...e.shape], data: typedArray(e.dtype, own) });
  }
  return { tensors, metadata };
}

function typedArray(dtype: DType, buffer: ArrayBuffer): TensorData {
  return new HOST_ARRAY[dtype](buffer);
}
