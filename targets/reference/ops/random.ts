import type { HostTensor } from '../../../ir/index.js';
import { numel } from '../../../ir/index.js';
import { PHILOX_MULTIPLIERS, PHILOX_ROUNDS, PHILOX_WEYL } from '../../../ir/ops/random.js';
import { scratch } from '../interpreter.js';
import { registerRef } from '../kernels.js';

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

function words(key: HostTensor, salt: number, n: number): Uint32Array {
  const k = [Number(key.data[0]), Number(key.data[1])];
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = philox4x32([i, salt, 0, 0], k)[0];
  return out;
}

registerRef('randomBits', ([key], { node, outputs }) => {
  const out = outputs[0];
  return [{ dtype: 'u32', shape: out.shape, data: words(key, node.attrs.salt as number, numel(out.shape)) }];
});

registerRef('randomUniform', ([key], { node, outputs }) => {
  const out = outputs[0];
  const n = numel(out.shape);
  const bits = words(key, node.attrs.salt as number, n);
  const low = Math.fround(node.attrs.low as number);
  const span = Math.fround(Math.fround(node.attrs.high as number) - low);
  const data = scratch('f32', n);
  // Rounded step by step as f32 arithmetic would: u is exact, the affine map rounds twice.
  for (let i = 0; i < n; i++) data[i] = Math.fround(low + Math.fround(span * ((bits[i] >>> 8) * 2 ** -24)));
  return [{ dtype: 'f32', shape: out.shape, data }];
});
