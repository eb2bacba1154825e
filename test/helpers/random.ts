import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { allocHost, numel } from '../../ir/index.js';

/** A small seeded PRNG (mulberry32): tests are deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random tensor: floats uniform in [lo, hi), ints in [lo, hi], bools fair coins. */
export function randomTensor(dtype: DType, shape: StaticShape, seed: number, lo = -2, hi = 2): HostTensor {
  const r = rng(seed);
  const n = numel(shape);
  const data = allocHost(dtype, n);
  for (let i = 0; i < n; i++) {
    if (dtype === 'bool') data[i] = r() < 0.5 ? 1 : 0;
    else if (dtype === 'i32' || dtype === 'u32') data[i] = Math.floor(lo + r() * (hi - lo + 1));
    else data[i] = lo + r() * (hi - lo);
  }
  return { dtype, shape: [...shape], data };
}
