import { halfToNumber } from '../../ir/dtype.js';
import type { DType, TensorData } from '../../ir/dtype.js';
import { allocHost } from '../../ir/dtype.js';
import { InputError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';

/**
 * NumPy's .npy format (versions 1.0–3.0): a magic string, a header that is a Python dict literal
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }) padded to a 64-byte boundary,
 * then the raw elements. Reading validates every part and throws InputError naming the file;
 * nothing is allocated before the header's shape and the data length agree.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Element count beyond which an array is refused (the device buffers hold far less). */
const MAX_ELEMENTS = 2 ** 31 - 1;

export type NpyKind = 'f' | 'i' | 'u' | 'b';

/** An .npy array as stored: its element type and exact values (int64 to 2^53). */
export interface NpyArray {
  /** The dtype string as written, e.g. '<f4', '|b1', '<i8'. */
  readonly descr: string;
  readonly kind: NpyKind;
  readonly itemSize: number;
  readonly shape: number[];
  readonly values: Float32Array | Float64Array;
}

const SUPPORTED: Record<string, readonly number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };

function parseDescr(descr: string, what: string): { kind: NpyKind; itemSize: number; littleEndian: boolean } {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  if (!m || !SUPPORTED[m[2]]?.includes(Number(m[3]))) {
    throw new InputError(`${what}: unsupported .npy dtype '${descr}' (supported: float16/32/64, int8–64, uint8–64, bool)`);
  }
  return { kind: m[2] as NpyKind, itemSize: Number(m[3]), littleEndian: m[1] !== '>' };
}

/** Parses the header dict (the restricted literal numpy writes, any key order). */
function parseHeader(text: string, what: string): { descr: string; fortran: boolean; shape: number[] } {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new InputError(`${what}: malformed .npy header`);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(body);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(body);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(body);
  if (!descr || !fortran || !shape) throw new InputError(`${what}: .npy header lacks descr, fortran_order or shape`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new InputError(`${what}: invalid .npy shape (${shape[1]})`);
      return Number(s.replace('L', ''));
    });
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims };
}


function readElement(view: DataView, offset: number, kind: NpyKind, size: number, le: boolean): number {
  switch (`${kind}${size}`) {
    case 'f2':
      return halfToNumber(view.getUint16(offset, le));
    case 'f4':
      return view.getFloat32(offset, le);
    case 'f8':
      return view.getFloat64(offset, le);
    case 'i1':
      return view.getInt8(offset);
    case 'i2':
      return view.getInt16(offset, le);
    case 'i4':
      return view.getInt32(offset, le);
    case 'i8':
      return Number(view.getBigInt64(offset, le));
    case 'u1':
    case 'b1':
      return view.getUint8(offset);
    case 'u2':
      return view.getUint16(offset, le);
    case 'u4':
      return view.getUint32(offset, le);
    default:
      return Number(view.getBigUint64(offset, le));
  }
}

/** Reorders a column-major (Fortran) array to row-major. */
function fromFortran(values: Float32Array | Float64Array, shape: readonly number[]): Float32Array | Float64Array {
  const out = new (values.constructor as Float64ArrayConstructor)(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < values.length; c++) {
    // c walks row-major order; its Fortran offset has the first axis fastest.
    let f = 0;
    let stride = 1;
    for (let d = 0; d < rank; d++) {
      f += index[d] * stride;
      stride *= shape[d];
    }
    out[c] = values[f];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Parses .npy bytes; `what` names the file in errors. */
export function parseNpy(bytes: Uint8Array, what = '.npy data'): NpyArray {
  if (bytes.length === 0) throw new InputError(`${what}: the file is empty`);
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) throw new InputError(`${what}: not an .npy file (bad magic)`);
  if (bytes.length < 10) throw new InputError(`${what}: truncated .npy header`);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new InputError(`${what}: unsupported .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new InputError(`${what}: truncated .npy header`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw new InputError(`${what}: truncated .npy header (${headerLength} bytes declared)`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  const header = parseHeader(text, what);
  const { kind, itemSize, littleEndian } = parseDescr(header.descr, what);
  let count = 1;
  for (const d of header.shape) {
    count *= d;
    if (!Number.isSafeInteger(d) || count > MAX_ELEMENTS) throw new InputError(`${what}: shape (${header.shape.join(', ')}) is too large`);
  }
  const available = bytes.length - dataStart;
  if (available !== count * itemSize) {
    throw new InputError(`${what}: holds ${available} data bytes, shape (${header.shape.join(', ')}) of '${header.descr}' needs ${count * itemSize}${available < count * itemSize ? ' (truncated)' : ''}`);
  }
  let values: Float32Array | Float64Array = kind === 'f' && itemSize === 4 ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = readElement(view, dataStart + i * itemSize, kind, itemSize, littleEndian);
  if (header.fortran && header.shape.length > 1) values = fromFortran(values, header.shape);
  return { descr: header.descr, kind, itemSize, shape: header.shape, values };
}

/** The dawnflow dtype an .npy array holds naturally (int64 → i32, float64 → f32, uint8 → i32). */
export function naturalDType(arr: NpyArray): DType {
  if (arr.kind === 'f') return 'f32';
  if (arr.kind === 'b') return 'bool';
  if (arr.kind === 'u' && arr.itemSize === 4) return 'u32';
  return 'i32';
}

/**
 * Converts an .npy array to a host tensor of `dtype`: floats (float16/32/64) to f32; integers
 * (int8–64, uint8–64) to i32 or u32 with a range check; bools to bool. Any other pairing is an
 * InputError: values never silently change kind.
 */
export function npyToTensor(arr: NpyArray, dtype: DType = naturalDType(arr), what = '.npy data'): HostTensor {
  const n = arr.values.length;
  const want = dtype === 'f32' || dtype === 'f16' ? 'f' : dtype === 'bool' ? 'b' : 'iu';
  if (!want.includes(arr.kind)) throw new InputError(`${what}: holds '${arr.descr}' values, expected ${dtype}`);
  if (dtype === 'f16') return { dtype, shape: arr.shape, data: Uint16Array.from(arr.values, numberToHalf) };
  if (dtype === 'f32') return { dtype, shape: arr.shape, data: arr.values instanceof Float32Array ? arr.values : Float32Array.from(arr.values) };
  const data: TensorData = allocHost(dtype, n);
  const [lo, hi] = dtype === 'i32' ? [-2147483648, 2147483647] : dtype === 'u32' ? [0, 4294967295] : [0, 1];
  for (let i = 0; i < n; i++) {
    const v = arr.values[i];
    if (v < lo || v > hi) throw new InputError(`${what}: element ${i} (${v}) does not fit in ${dtype}`);
    data[i] = v;
  }
  return { dtype, shape: arr.shape, data };
}

/** Reads .npy bytes as a host tensor of its natural dtype (see naturalDType). */
export function readNpy(bytes: Uint8Array, what = '.npy data'): HostTensor {
  const arr = parseNpy(bytes, what);
  return npyToTensor(arr, naturalDType(arr), what);
}

function numberToHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const mant = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >> (1 - exp);
    return sign | ((m + 0x1000) >> 13);
  }
  return (sign | (exp << 10) | (mant >> 13)) + ((mant >> 12) & 1);
}

/** The .npy descr a dtype is written as by default. */
export function defaultDescr(dtype: DType): string {
  return { f32: '<f4', f16: '<f2', i32: '<i4', u32: '<u4', bool: '|b1' }[dtype];
}

/** Serializes a tensor as .npy (version 1.0), optionally as another element type ('<i8', '<f8'). */
export function encodeNpy(t: HostTensor, descr = defaultDescr(t.dtype)): Uint8Array {
  const { kind, itemSize } = parseDescr(descr, 'encodeNpy');
  const le = `${kind === 'b' || itemSize === 1 ? '|' : '<'}${kind}${itemSize}`;
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${le}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const n = t.data.length;
  const out = new Uint8Array(10 + header.length + n * itemSize);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  for (let i = 0; i < n; i++) {
    const raw = Number(t.data[i]);
    const v = t.dtype === 'f16' ? halfToNumber(raw) : raw;
    const at = base + i * itemSize;
    switch (`${kind}${itemSize}`) {
      case 'f2':
        view.setUint16(at, numberToHalf(v), true);
        break;
      case 'f4':
        view.setFloat32(at, v, true);
        break;
      case 'f8':
        view.setFloat64(at, v, true);
        break;
      case 'i1':
        view.setInt8(at, v);
        break;
      case 'i2':
        view.setInt16(at, v, true);
        break;
      case 'i4':
        view.setInt32(at, v, true);
        break;
      case 'i8':
        view.setBigInt64(at, BigInt(Math.trunc(v)), true);
        break;
      case 'u1':
      case 'b1':
        view.setUint8(at, v);
        break;
      case 'u2':
        view.setUint16(at, v, true);
        break;
      case 'u4':
        view.setUint32(at, v, true);
        break;
      default:
        view.setBigUint64(at, BigInt(Math.trunc(v)), true);
    }
  }
  return out;
}
