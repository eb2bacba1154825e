import type { ColumnMetaData, FileMetaData } from 'hyparquet';
import { DataError } from '../../ir/errors.js';

/**
 * The declared schema of a Parquet dataset: which columns make an example's input and target
 * tensors, in order, and how each maps to numbers. Checked against every shard's footer (every
 * row group's column chunks) when the dataset opens, and against the values as they are decoded:
 * a mismatch is a DataError naming the file, the row group and the column.
 */

/** One value per row: INT32, INT64, FLOAT, DOUBLE or BOOLEAN. */
export interface NumberColumn {
  readonly column: string;
  readonly kind: 'number';
  readonly scale?: number;
}
/** A LIST of numbers with exactly `length` values in every row (e.g. flattened pixels). */
export interface ListColumn {
  readonly column: string;
  readonly kind: 'list';
  readonly length: number;
  readonly scale?: number;
}
/**
 * BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY holding `length` elements per row: bytes ('u8', 'i8') or
 * little-endian floats ('f32') — how images and embeddings are often stored.
 */
export interface BinaryColumn {
  readonly column: string;
  readonly kind: 'binary';
  readonly length: number;
  readonly element?: BinaryElement;
  readonly scale?: number;
}
export type BinaryElement = 'u8' | 'i8' | 'f32';
export type ColumnSpec = NumberColumn | ListColumn | BinaryColumn;

/** One tensor of an example: its dtype and the columns concatenated into it. */
export interface TensorColumns {
  readonly dtype: 'f32' | 'i32' | 'u32';
  readonly columns: readonly ColumnSpec[];
}

export interface ParquetSchema {
  readonly input: TensorColumns;
  readonly target: TensorColumns;
}

export const ELEMENT_BYTES: Readonly<Record<BinaryElement, number>> = { u8: 1, i8: 1, f32: 4 };
const NUMERIC = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE', 'BOOLEAN']);

/** Values a column contributes to each example. */
export function columnWidth(c: ColumnSpec): number {
  return c.kind === 'number' ? 1 : c.length;
}

export function tensorWidth(t: TensorColumns): number {
  return t.columns.reduce((n, c) => n + columnWidth(c), 0);
}

/** Checks the declaration itself (before any file is read). */
export function checkSchema(schema: ParquetSchema): void {
  for (const part of ['input', 'target'] as const) {
    const t = schema[part] as TensorColumns | undefined;
    if (!t || !Array.isArray(t.columns) || t.columns.length === 0) throw new DataError(`parquet schema: '${part}' needs at least one column`);
    if (!['f32', 'i32', 'u32'].includes(t.dtype)) throw new DataError(`parquet schema: '${part}' dtype must be f32, i32 or u32, got '${String(t.dtype)}'`);
    for (const c of t.columns) {
      if (typeof c.column !== 'string' || c.column === '') throw new DataError(`parquet schema: '${part}' has a column without a name`);
      if (!['number', 'list', 'binary'].includes(c.kind)) throw new DataError(`parquet schema: column '${c.column}': kind must be number, list or binary, got '${String((c as { kind: unknown }).kind)}'`);
      if (c.kind !== 'number' && (!Number.isSafeInteger(c.length) || c.length < 1)) throw new DataError(`parquet schema: column '${c.column}': length must be a whole number >= 1, got ${c.length}`);
      if (c.kind === 'binary' && c.element !== undefined && !(c.element in ELEMENT_BYTES)) throw new DataError(`parquet schema: column '${c.column}': element must be u8, i8 or f32, got '${String(c.element)}'`);
      if (c.scale !== undefined && !Number.isFinite(c.scale)) throw new DataError(`parquet schema: column '${c.column}': scale must be a finite number, got ${c.scale}`);
    }
  }
}

/** The column chunks of one top-level column in a row group. */
function chunksOf(meta: FileMetaData, group: number, column: string): ColumnMetaData[] {
  return meta.row_groups[group].columns.flatMap((c) => (c.meta_data && c.meta_data.path_in_schema[0] === column ? [c.meta_data] : []));
}

/** What is wrong with `spec` in this row group, or undefined. */
function mismatch(meta: FileMetaData, group: number, spec: ColumnSpec): string | undefined {
  const chunks = chunksOf(meta, group, spec.column);
  if (chunks.length === 0) {
    const names = [...new Set(meta.row_groups[group].columns.flatMap((c) => (c.meta_data ? [c.meta_data.path_in_schema[0]] : [])))];
    return `no such column (the file has ${names.map((n) => `'${n}'`).join(', ')})`;
  }
  if (chunks.length > 1) return `a struct of ${chunks.length} columns, not one ${spec.kind} column`;
  const [chunk] = chunks;
  const nested = chunk.path_in_schema.length > 1;
  const type = chunk.type;
  switch (spec.kind) {
    case 'number':
      if (nested) return `a nested (list) column of ${type}, declared as one number per row`;
      if (!NUMERIC.has(type)) return `${type}, declared as a number`;
      return undefined;
    case 'list':
      if (!nested) return `${type} (one value per row), declared as a list of ${spec.length}`;
      if (!NUMERIC.has(type)) return `a list of ${type}, declared as a list of numbers`;
      return undefined;
    case 'binary': {
      if (nested) return `a nested (list) column of ${type}, declared as binary`;
      if (type !== 'BYTE_ARRAY' && type !== 'FIXED_LEN_BYTE_ARRAY') return `${type}, declared as binary`;
      return undefined;
    }
  }
}

/** Checks every declared column against every row group of one shard's footer. */
export function checkShard(file: string, meta: FileMetaData, schema: ParquetSchema): void {
  for (let group = 0; group < meta.row_groups.length; group++) {
    for (const spec of [...schema.input.columns, ...schema.target.columns]) {
      const problem = mismatch(meta, group, spec);
      if (problem) throw new DataError(`${file}: row group ${group}, column '${spec.column}': ${problem}`);
    }
  }
}
