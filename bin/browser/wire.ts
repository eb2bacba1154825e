import type { DType } from '../../ir/dtype.js';
import type { HostTensor } from '../../ir/tensor.js';

/**
 * What crosses between Node and the page (page.evaluate arguments and results are JSON): a
 * tensor as its dtype, shape and bytes in base64; an error as its class name, code and message.
 * Used on both sides, so it imports nothing but types and uses only what both have (atob/btoa).
 */

export interface WireTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly base64: string;
}

export interface WireError {
  readonly name: string;
  /** The DawnflowError code, or undefined for an error of another kind. */
  readonly code?: string;
  readonly message: string;
}

export type WireResult =
  | { readonly ok: true; readonly outputs: Readonly<Record<string, WireTensor>>; readonly adapter: string }
  | { readonly ok: false; readonly error: WireError };

const ARRAYS = { f32: Float32Array, f16: Uint16Array, i32: Int32Array, u32: Uint32Array, bool: Uint8Array } as const;
/** String.fromCharCode takes its bytes as arguments: a bounded number at a time. */
const CHUNK = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(text);
}

export function base64ToBytes(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** A host tensor as bytes (f32 stays f32: host arrays of f64 are narrowed, as a GPU upload would). */
export function tensorToWire(t: HostTensor): WireTensor {
  const Array_ = ARRAYS[t.dtype];
  const data = t.data instanceof Array_ ? t.data : Array_.from(t.data as ArrayLike<number>);
  return { dtype: t.dtype, shape: [...t.shape], base64: bytesToBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
}

export function tensorFromWire(w: WireTensor): HostTensor {
  const bytes = base64ToBytes(w.base64);
  const Array_ = ARRAYS[w.dtype];
  return { dtype: w.dtype, shape: [...w.shape], data: new Array_(bytes.buffer as ArrayBuffer, 0, bytes.length / Array_.BYTES_PER_ELEMENT) };
}

export function errorToWire(e: unknown): WireError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, code: typeof code === 'string' ? code : undefined, message: e.message };
  }
  return { name: 'Error', message: String(e) };
}
