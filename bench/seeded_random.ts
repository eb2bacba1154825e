/**
 * Deterministic pseudo-random numbers for the benchmark's weights and inputs. Every peer runs in
 * its own process, so each must be able to regenerate the very same values from a name alone:
 * a seed is a hash of the tensor's name, never a shared generator's position.
 */

/** FNV-1a over the UTF-16 code units: a stable 32-bit seed from a name. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for test data. Returns floats in [0, 1). */
export function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi). */
export function uniformArray(name: string, n: number, lo = 0, hi = 1): Float32Array {
  const next = uniformStream(seedOf(name));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** n floats from N(0, std²) (Box–Muller). */
export function normalArray(name: string, n: number, std = 1): Float32Array {
  const next = uniformStream(seedOf(name));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    out[i] = std * radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = std * radius * Math.sin(angle);
  }
  return out;
}
