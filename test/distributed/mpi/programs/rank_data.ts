/**
 * Deterministic per-rank test data for the MPI programs and their oracles: values of mixed
 * signs and magnitudes (2^-10 .. 2^10), so that summing them in another order changes bits.
 */
export function rankData(seed: number, rank: number, length: number): Float32Array {
  let a = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(rank + 1, 0x85ebca6b)) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Float32Array.from({ length }, () => (next() * 2 - 1) * 2 ** (Math.floor(next() * 21) - 10));
}

/** Bytes of a typed array as base64 (results travel to the test as JSON). */
export function toBase64(data: ArrayBufferView): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
