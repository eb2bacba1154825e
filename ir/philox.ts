/**
 * Philox-4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"): a
 * counter-based generator, so any word of a stream is computed from (counter, key) alone, with
 * no state to carry. The IR's random ops (ops/random.ts), the reference kernels, the WGSL
 * kernels and the DSL's parameter initializers all draw from it; it lives in ir/ so that each of
 * those can import it without importing one another.
 */

export const PHILOX_MULTIPLIERS = [0xd2511f53, 0xcd9e8d57] as const;
export const PHILOX_WEYL = [0x9e3779b9, 0xbb67ae85] as const;
export const PHILOX_ROUNDS = 10;

/** High 32 bits of a 32×32-bit product, exactly (16-bit halves keep every term below 2^53). */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const cross = ((aLo * bLo) >>> 16) + ((aLo * bHi) & 0xffff) + ((aHi * bLo) & 0xffff);
  return (aHi * bHi + ((aLo * bHi) >>> 16) + ((aHi * bLo) >>> 16) + (cross >>> 16)) >>> 0;
}

/** Philox-4x32-10 of one counter block: the four output words. */
export function philox4x32(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((x) => x >>> 0);
  let [k0, k1] = key.map((x) => x >>> 0);
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    const hi0 = mulhi(PHILOX_MULTIPLIERS[0], c0);
    const lo0 = Math.imul(PHILOX_MULTIPLIERS[0], c0) >>> 0;
    const hi1 = mulhi(PHILOX_MULTIPLIERS[1], c2);
    const lo1 = Math.imul(PHILOX_MULTIPLIERS[1], c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + PHILOX_WEYL[0]) >>> 0;
    k1 = (k1 + PHILOX_WEYL[1]) >>> 0;
  }
  return [c0, c1, c2, c3];
}
