import { DTypeError } from './errors.js';

/** Element types. bool is stored as u32 on the device and as Uint8Array on the host. */
export type DType = 'f32' | 'f16' | 'i32' | 'u32' | 'bool';

export const DTYPES: readonly DType[] = ['f32', 'f16', 'i32', 'u32', 'bool'];

/** Bytes per element on the device (bool occupies a u32 word there). */
export function deviceBytesPerElement(dtype: DType): number {
  return dtype === 'f16' ? 2 : 4;
}

/**
 * Bytes per element of a host array (`allocHost`; f32 in a Float32Array): what a tensor weighs
 * once read back, sent between ranks or written to a file. Only bool differs from the device.
 */
export function hostBytesPerElement(dtype: DType): number {
  return dtype === 'bool' ? 1 : deviceBytesPerElement(dtype);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16';
}

export function isInteger(dtype: DType): boolean {
  return dtype === 'i32' || dtype === 'u32';
}

/**
 * Host storage. f32 may also be held in a Float64Array (the reference interpreter's f64 mode,
 * used for finite-difference gradient checks).
 */
export type TensorData = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Uint16Array;

export function allocHost(dtype: DType, length: number, f64 = false): TensorData {
  switch (dtype) {
    case 'f32':
      return f64 ? new Float64Array(length) : new Float32Array(length);
    case 'f16':
      return new Uint16Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'u32':
      return new Uint32Array(length);
    case 'bool':
      return new Uint8Array(length);
    default:
      throw new DTypeError(`unknown dtype '${dtype as string}'`);
  }
}

/** The dtype a host array holds naturally (Uint8Array reads as bool). */
export function dtypeOfData(data: TensorData): DType {
  if (data instanceof Float32Array || data instanceof Float64Array) return 'f32';
  if (data instanceof Int32Array) return 'i32';
  if (data instanceof Uint32Array) return 'u32';
  if (data instanceof Uint8Array) return 'bool';
  return 'f16';
}

export function parseDType(name: string): DType {
  if ((DTYPES as readonly string[]).includes(name)) return name as DType;
  throw new DTypeError(`unknown dtype '${name}' (expected one of ${DTYPES.join(', ')})`);
}

/** IEEE 754 half-precision bits → number (host f16 tensors hold the raw bits). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
