import type { FileHandle } from 'node:fs/promises';
import { open, writeFile } from 'node:fs/promises';
import type { DType, TensorData } from '../../ir/dtype.js';
import { allocHost } from '../../ir/dtype.js';
import { InputError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';

/**
 * NumPy's .npy format (versions 1–3): a magic string, a header dict (descr, fortran_order,
 * shape), then the raw little-endian array. Files are read in row ranges, never whole, so a
 * data set may be far bigger than memory.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The element types read; each converts to the dtype a plan wants. */
const DESCRS: Record<string, { bytes: number; read: (view: DataView, offset: number) => number }> = {
  '<f4': { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  '<f8': { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  '<i4': { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  '<u4': { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  '<i8': { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  '|u1': { bytes: 1, read: (v, o) => v.getUint8(o) },
  '|i1': { bytes: 1, read: (v, o) => v.getInt8(o) },
  '|b1': { bytes: 1, read: (v, o) => v.getUint8(o) },
  '<i2': { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  '<u2': { bytes: 2, read: (v, o) => v.getUint16(o, true) },
};

export interface NpyHeader {
  readonly descr: string;
  readonly shape: number[];
  /** Byte offset of the first element. */
  readonly dataOffset: number;
  readonly bytesPerElement: number;
}

/** Parses the header at the start of `bytes` (which must hold at least the whole header). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const bad = (why: string) => new InputError(`${file}: not a readable .npy file: ${why}`);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('missing the \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw bad(`unknown version ${major}`);
  const headerLength = lengthBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (bytes.length < start + headerLength) throw bad('truncated header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad(`malformed header ${JSON.stringify(text.trim())}`);
  if (fortran === 'True') throw bad('Fortran-ordered arrays are not supported (save with C order)');
  const kind = DESCRS[descr];
  if (!kind) throw bad(`element type '${descr}' is not supported (${Object.keys(DESCRS).join(', ')})`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`invalid shape (${shapeText})`);
  return { descr, shape, dataOffset: start + headerLength, bytesPerElement: kind.bytes };
}

/** An open .npy file read by rows (the first axis). */
export class NpyFile {
  private constructor(
    readonly path: string,
    readonly header: NpyHeader,
    readonly fileSize: number,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<NpyFile> {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(65536 + 12);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      const header = parseNpyHeader(head.subarray(0, bytesRead), path);
      const size = (await handle.stat()).size;
      const file = new NpyFile(path, header, size, handle);
      const need = header.dataOffset + file.rows * file.rowElements * header.bytesPerElement;
      if (size < need) throw new InputError(`${path}: truncated: ${size} bytes, the header promises ${need}`);
      return file;
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  get rows(): number {
    return this.header.shape[0] ?? 1;
  }

  /** Elements per row (the product of the dims after the first). */
  get rowElements(): number {
    return this.header.shape.slice(1).reduce((a, b) => a * b, 1);
  }

  /** Reads rows [start, start + count) into `out` at element offset `at`, converting types. */
  async readRows(start: number, count: number, out: TensorData, at = 0): Promise<void> {
    if (start < 0 || start + count > this.rows) throw new InputError(`${this.path}: rows ${start}..${start + count} are outside its ${this.rows} rows`);
    const elements = count * this.rowElements;
    const width = this.header.bytesPerElement;
    const bytes = new Uint8Array(elements * width);
    const { bytesRead } = await this.handle.read(bytes, 0, bytes.length, this.header.dataOffset + start * this.rowElements * width);
    if (bytesRead !== bytes.length) throw new InputError(`${this.path}: short read at row ${start}`);
    const view = new DataView(bytes.buffer);
    const read = DESCRS[this.header.descr].read;
    for (let i = 0; i < elements; i++) out[at + i] = read(view, i * width);
  }

  async readAll(dtype: DType): Promise<HostTensor> {
    const data = allocHost(dtype, this.rows * this.rowElements);
    await this.readRows(0, this.rows, data);
    return { dtype, shape: [...this.header.shape], data };
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

const DESCR_OF: Partial<Record<DType, string>> = { f32: '<f4', i32: '<i4', u32: '<u4', bool: '|b1' };

/** Writes a tensor as a version-1 .npy file. */
export async function writeNpy(path: string, tensor: HostTensor): Promise<void> {
  const descr = DESCR_OF[tensor.dtype];
  if (!descr) throw new InputError(`writeNpy: dtype ${tensor.dtype} is not supported`);
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Data starts on a 64-byte boundary: pad the header with spaces, end it with a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set(MAGIC);
  head[6] = 1;
  head[7] = 0;
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const source = tensor.dtype === 'f32' ? Float32Array.from(tensor.data) : tensor.data;
  const body = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  await writeFile(path, Buffer.concat([head, body]));
}
