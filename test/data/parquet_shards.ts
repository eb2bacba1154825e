import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { CompressionCodec } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';

/**
 * Test shards written with hyparquet-writer. Every value is a function of the row's global id,
 * so a test can say what any example must hold without reading the files back.
 */

export const PIXELS = 6;
export const IMAGE_BYTES = 4;
export const EMBEDDING = 2;

export const pixelsOf = (id: number) => Array.from({ length: PIXELS }, (_, k) => Math.fround(id * 0.5 + k * 0.125 - 3));
export const imageOf = (id: number) => Uint8Array.from({ length: IMAGE_BYTES }, (_, k) => (id * 7 + k * 31) & 255);
export const embeddingOf = (id: number) => Float32Array.from({ length: EMBEDDING }, (_, k) => Math.fround(Math.sin(id + k)));
export const weightOf = (id: number) => id / 8 - 1;
export const labelOf = (id: number) => id % 10;

/** What the test schema below makes of row `id`: x (13 f32) and y ([label, id] as i32). */
export function exampleOf(id: number): { x: number[]; y: number[] } {
  const x = [...pixelsOf(id), ...Array.from(imageOf(id), (b) => Math.fround(b * Math.fround(1 / 255))), ...embeddingOf(id), Math.fround(weightOf(id))];
  return { x, y: [labelOf(id), id] };
}

export const TEST_SCHEMA = {
  input: {
    dtype: 'f32',
    columns: [
      { column: 'pixels', kind: 'list', length: PIXELS },
      { column: 'image', kind: 'binary', length: IMAGE_BYTES, scale: Math.fround(1 / 255) },
      { column: 'embedding', kind: 'binary', length: EMBEDDING, element: 'f32' },
      { column: 'weight', kind: 'number' },
    ],
  },
  target: { dtype: 'i32', columns: [{ column: 'label', kind: 'number' }, { column: 'id', kind: 'number' }] },
} as const;

/**
 * A zstd frame of raw (stored) blocks: valid for every zstd decoder, so it exercises the ZSTD
 * path of hyparquet-compressors although Node 20 has no zstd compressor.
 */
export function zstdStored(input: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  const MAX = 1 << 17;
  for (let at = 0; at < input.length || blocks.length === 0; at += MAX) {
    const body = input.subarray(at, Math.min(input.length, at + MAX));
    const last = at + MAX >= input.length ? 1 : 0;
    const header = (body.length << 3) | last; // block type 0: raw
    blocks.push(Uint8Array.of(header & 255, (header >> 8) & 255, (header >> 16) & 255), body);
  }
  const head = new Uint8Array(9);
  const view = new DataView(head.buffer);
  view.setUint32(0, 0xfd2fb528, true);
  head[4] = 0xa0; // single segment, 4-byte content size
  view.setUint32(5, input.length, true);
  return Buffer.concat([head, ...blocks]);
}

const COMPRESSORS = {
  GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)),
  BROTLI: (b: Uint8Array) => new Uint8Array(brotliCompressSync(b)),
  ZSTD: zstdStored,
};

export interface ShardOptions {
  readonly firstId: number;
  readonly rows: number;
  readonly rowGroupSize: number;
  readonly codec?: CompressionCodec;
  /** Rows whose pixel list is one value short (a schema mismatch found while decoding). */
  readonly shortListAt?: readonly number[];
  /** Rows whose weight is null (an OPTIONAL column). */
  readonly nullWeightAt?: readonly number[];
}

export function writeShard(path: string, o: ShardOptions): void {
  const ids = Array.from({ length: o.rows }, (_, i) => o.firstId + i);
  const nullable = (o.nullWeightAt?.length ?? 0) > 0;
  parquetWriteFile({
    filename: path,
    codec: o.codec ?? 'SNAPPY',
    compressors: COMPRESSORS,
    rowGroupSize: o.rowGroupSize,
    columnData: [
      { name: 'id', data: ids.map((id) => BigInt(id)) },
      { name: 'label', data: Int32Array.from(ids, labelOf) },
      { name: 'pixels', data: ids.map((id) => (o.shortListAt?.includes(id) ? pixelsOf(id).slice(1) : pixelsOf(id))) },
      { name: 'image', data: ids.map(imageOf) },
      { name: 'embedding', data: ids.map((id) => new Uint8Array(embeddingOf(id).buffer)) },
      { name: 'weight', data: ids.map((id) => (o.nullWeightAt?.includes(id) ? null : weightOf(id))) },
      { name: 'note', data: ids.map((id) => `row ${id}`) },
    ],
    schema: [
      { name: 'root', num_children: 7 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'label', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'pixels', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'image', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
      { name: 'embedding', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 4 * EMBEDDING, repetition_type: 'REQUIRED' },
      { name: 'weight', type: 'DOUBLE', repetition_type: nullable ? 'OPTIONAL' : 'REQUIRED' },
      { name: 'note', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    ],
  });
}
