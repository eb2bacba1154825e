/**
 * Deterministic orders from integer keys (seed, epoch, rank, row group...): the same keys give
 * the same order on every run and every machine, which is what lets a restarted rank read
 * exactly the examples the interrupted one would have.
 */

/** A 32-bit mix of the keys (murmur3's finalizer over a running hash). */
export function mixKeys(...keys: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const key of keys) {
    h = Math.imul(h ^ (key >>> 0), 0x01000193) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Fisher–Yates over [0, n) driven by mulberry32 seeded from the keys. */
export function shuffledRange(n: number, ...keys: readonly number[]): number[] {
  return seededShuffle(n, mixKeys(...keys));
}

/**
 * Fisher–Yates over [0, n) driven by mulberry32 from the 32-bit state `state`: the one shuffle
 * behind every seeded order (the Trainer's `epochOrder` derives its state from seed and epoch,
 * `shuffledRange` from its keys).
 */
export function seededShuffle(n: number, state: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let a = state >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
