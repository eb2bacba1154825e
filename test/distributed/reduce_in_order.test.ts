import { describe, expect, it } from 'vitest';
import { reduceInOrder } from '../../runtime/distributed/communicator.js';
import type { ReduceOp } from '../../runtime/distributed/communicator.js';

/**
 * reduceInOrder has loops specialized by rank count; the oracle is the definition written
 * plainly: for each element, 0 plus every part in rank order in f64, divided by the count for a
 * mean, rounded once to f32. Compared bit for bit, with -0, infinities, NaN and subnormals among
 * the values.
 */
function oracle(parts: readonly Float32Array[], op: ReduceOp, lo: number, hi: number, into: Float32Array): void {
  for (let i = lo; i < hi; i++) {
    let sum = 0;
    for (let r = 0; r < parts.length; r++) sum += parts[r][i];
    into[i] = op === 'mean' ? sum / parts.length : sum;
  }
}

const SPECIALS = [-0, 0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 3.4e38, -3.4e38];
function values(n: number, seed: number): Float32Array {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n }, () => (next() < 0.1 ? SPECIALS[Math.floor(next() * SPECIALS.length)] : (next() - 0.5) * 10 ** Math.floor(next() * 8 - 4)));
}
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('reduceInOrder', () => {
  for (const count of [1, 2, 3, 4, 5, 7]) {
    for (const op of ['sum', 'mean'] as const) {
      it(`${count} parts, ${op}: the definition's bits, on a sub-range, into a fresh array and into part 0`, () => {
        const n = 1000;
        const parts = Array.from({ length: count }, (_, r) => values(n, 17 * count + r));
        const [lo, hi] = [13, 977];
        const expected = new Float32Array(n).fill(42);
        oracle(parts, op, lo, hi, expected);

        const out = new Float32Array(n).fill(42);
        reduceInOrder(parts, out, op, lo, hi);
        expect(bits(out)).toEqual(bits(expected));

        const inPlace = parts.map((p) => p.slice());
        reduceInOrder(inPlace, inPlace[0], op, lo, hi);
        const expectedInPlace = parts[0].slice();
        oracle(parts, op, lo, hi, expectedInPlace);
        expect(bits(inPlace[0])).toEqual(bits(expectedInPlace));
      });
    }
  }

  it('an all -0 element sums to +0, as 0 + (-0) does in the definition and in the MPI engine', () => {
    const out = new Float32Array(1);
    reduceInOrder([Float32Array.of(-0), Float32Array.of(-0), Float32Array.of(-0)], out, 'sum');
    expect(Object.is(out[0], 0)).toBe(true);
  });
});
