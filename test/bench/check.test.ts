import { describe, expect, it } from 'vitest';
import { compareOutputs } from '../../bench/check.js';
import { median } from '../../bench/measure.js';

const t = (...values: number[]) => ({ shape: [values.length], data: Float32Array.from(values) });

describe('compareOutputs', () => {
  it('is the largest difference over the reference\'s largest magnitude, over all outputs', () => {
    const reference = { y: t(1, -4, 2), z: t(0.5) };
    // |diffs| = 0.5 (y[2]) over max|ref| 4 = 0.125; z: 0.25 over 0.5 = 0.5, the worst.
    expect(compareOutputs({ y: t(1, -4, 2.5), z: t(0.75) }, reference).maxRelError).toBeCloseTo(0.5, 6);
    expect(compareOutputs({ y: t(1, -4, 2), z: t(0.5) }, reference).maxRelError).toBe(0);
  });

  it('reports missing, mis-sized and non-finite outputs as infinitely wrong', () => {
    const reference = { y: t(1, 2) };
    expect(compareOutputs({ other: t(1, 2) }, reference)).toMatchObject({ maxRelError: Infinity, problem: expect.stringContaining("'y' missing") });
    expect(compareOutputs({ y: t(1, 2, 3) }, reference).maxRelError).toBe(Infinity);
    expect(compareOutputs({ y: t(1, Number.NaN) }, reference).maxRelError).toBe(Infinity);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});
