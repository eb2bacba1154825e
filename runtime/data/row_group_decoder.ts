import type { AsyncBuffer, DecodedArray, FileMetaData } from 'hyparquet';
import { DataError } from '../../ir/errors.js';
import type { ColumnSpec, ParquetSchema, TensorColumns } from './parquet_schema.js';
import { ELEMENT_BYTES, tensorWidth } from './parquet_schema.js';

/**
 * Decodes one row group of one shard into the two tensors of its examples (input rows and
 * target rows, examples first), column by column, checking every value against the declared
 * schema. Runs in the dataset's reader thread (parquet_worker.ts); plain functions so that it
 * can run anywhere.
 */

export type TensorRows = Float32Array | Int32Array | Uint32Array;

export interface DecodedGroup {
  readonly rows: number;
  readonly x: TensorRows;
  readonly y: TensorRows;
}

interface OpenShard {
  readonly source: AsyncBuffer;
  readonly meta: FileMetaData;
}

const ROWS = { f32: Float32Array, i32: Int32Array, u32: Uint32Array } as const;

/**
 * hyparquet and its codecs, imported when the first shard is opened: ~45 modules that every
 * importer of the runtime would otherwise load (a cold start's import time) to run no dataset.
 */
let parquetModules: Promise<[typeof import('hyparquet'), typeof import('hyparquet-compressors')]> | undefined;
function parquet(): Promise<[typeof import('hyparquet'), typeof import('hyparquet-compressors')]> {
  return (parquetModules ??= Promise.all([import('hyparquet'), import('hyparquet-compressors')]));
}

/** Opened shards (their footers parsed once), by path. */
export class ShardFiles {
  readonly #open = new Map<string, Promise<OpenShard>>();

  get(file: string): Promise<OpenShard> {
    let shard = this.#open.get(file);
    if (!shard) {
      shard = openShard(file);
      this.#open.set(file, shard);
      shard.catch(() => this.#open.delete(file));
    }
    return shard;
  }
}

/** Reads a shard's footer; a DataError naming the file when it is missing or not Parquet. */
export async function openShard(file: string): Promise<OpenShard> {
  const [{ asyncBufferFromFile, parquetMetadataAsync }] = await parquet();
  let source: AsyncBuffer;
  try {
    source = await asyncBufferFromFile(file);
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === 'ENOENT';
    throw new DataError(`${file}: ${missing ? 'no such shard' : `cannot read the shard (${messageOf(cause)})`}`, { cause });
  }
  try {
    return { source, meta: await parquetMetadataAsync(source) };
  } catch (cause) {
    throw new DataError(`${file}: not a readable Parquet file (${messageOf(cause)})`, { cause });
  }
}

/** The file-global index of a row group's first row. */
export function groupStart(meta: FileMetaData, group: number): number {
  let start = 0;
  for (let g = 0; g < group; g++) start += Number(meta.row_groups[g].num_rows);
  return start;
}

export async function decodeRowGroup(files: ShardFiles, file: string, group: number, schema: ParquetSchema): Promise<DecodedGroup> {
  const { source, meta } = await files.get(file);
  if (group < 0 || group >= meta.row_groups.length) throw new DataError(`${file}: no row group ${group} (it has ${meta.row_groups.length})`);
  const rows = Number(meta.row_groups[group].num_rows);
  const start = groupStart(meta, group);
  const fill = async (t: TensorColumns): Promise<TensorRows> => {
    const width = tensorWidth(t);
    const out = new ROWS[t.dtype](rows * width);
    let offset = 0;
    for (const spec of t.columns) {
      const where = `${file}: row group ${group}, column '${spec.column}'`;
      const values = await readColumn(source, meta, start, rows, spec.column, where);
      writeColumn(values, spec, out, width, offset, start, where);
      offset += spec.kind === 'number' ? 1 : spec.length;
    }
    return out;
  };
  return { rows, x: await fill(schema.input), y: await fill(schema.target) };
}

/** One column's values for rows [start, start + rows) of the file, one entry per row. */
async function readColumn(source: AsyncBuffer, meta: FileMetaData, start: number, rows: number, column: string, where: string): Promise<ArrayLike<unknown>> {
  const [{ parquetRead }, { compressors }] = await parquet();
  const values: unknown[] = new Array(rows);
  let filled = 0;
  try {
    await parquetRead({
      file: source,
      metadata: meta,
      rowStart: start,
      rowEnd: start + rows,
      columns: [column],
      compressors,
      utf8: false,
      onChunk: ({ columnData, rowStart }) => {
        // Chunks may start before or run past the rows asked for: keep the overlap.
        const data = columnData as DecodedArray;
        const from = Math.max(start, rowStart);
        const to = Math.min(start + rows, rowStart + data.length);
        for (let r = from; r < to; r++) values[r - start] = data[r - rowStart];
        filled += Math.max(0, to - from);
      },
    });
  } catch (cause) {
    if (cause instanceof DataError) throw cause;
    throw new DataError(`${where}: cannot decode (${messageOf(cause)})`, { cause });
  }
  if (filled !== rows) throw new DataError(`${where}: decoded ${filled} of the row group's ${rows} rows`);
  return values;
}

function writeColumn(values: ArrayLike<unknown>, spec: ColumnSpec, out: TensorRows, width: number, offset: number, start: number, where: string): void {
  const scale = spec.scale ?? 1;
  const bad = (r: number, why: string) => new DataError(`${where}: row ${start + r} ${why}`);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    const at = r * width + offset;
    if (v === null || v === undefined) throw bad(r, 'is null');
    if (spec.kind === 'number') {
      out[at] = toNumber(v, () => bad(r, `is ${describe(v)}, not a number`)) * scale;
    } else if (spec.kind === 'list') {
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw bad(r, `is ${describe(v)}, not a list`);
      const list = v as ArrayLike<unknown>;
      if (list.length !== spec.length) throw bad(r, `has ${list.length} values, the schema says ${spec.length}`);
      for (let k = 0; k < list.length; k++) {
        const item = list[k];
        if (item === null || item === undefined) throw bad(r, `has a null at position ${k}`);
        out[at + k] = toNumber(item, () => bad(r, `holds ${describe(item)} at position ${k}, not a number`)) * scale;
      }
    } else {
      if (!(v instanceof Uint8Array)) throw bad(r, `is ${describe(v)}, not bytes`);
      const element = spec.element ?? 'u8';
      const need = spec.length * ELEMENT_BYTES[element];
      if (v.byteLength !== need) throw bad(r, `has ${v.byteLength} bytes, the schema says ${spec.length} ${element} (${need} bytes)`);
      const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
      for (let k = 0; k < spec.length; k++) {
        const value = element === 'u8' ? v[k] : element === 'i8' ? view.getInt8(k) : view.getFloat32(4 * k, true);
        out[at + k] = value * scale;
      }
    }
  }
}

function toNumber(v: unknown, error: () => DataError): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw error();
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return typeof v === 'string' ? `the text ${JSON.stringify(v.slice(0, 20))}` : typeof v;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
