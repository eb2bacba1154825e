import { describe, expect, it } from 'vitest';
import { NumericError, UsageError } from '../../ir/errors.js';
import { argMax, checkSampling, sampleToken, uniform } from '../../runtime/generation/sampling.js';
import type { SamplingOptions } from '../../runtime/generation/sampling.js';

/** Draws `n` tokens and counts them per vocabulary entry. */
function histogram(logits: number[], options: SamplingOptions, n: number): number[] {
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleToken(logits, options, i)]++;
  return counts;
}

function softmax(logits: number[], temperature: number): number[] {
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp((l - top) / temperature));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

describe('sampling', () => {
  const logits = [0.3, 2.1, -1, 1.7, 0.9, 2.05, -0.4, 1.2];

  it('greedy, temperature 0 and top-k 1 all take the arg max (the first of equals)', () => {
    expect(argMax(logits)).toBe(1);
    expect(argMax([1, 3, 3, 2])).toBe(1);
    for (let draw = 0; draw < 50; draw++) {
      expect(sampleToken(logits, { strategy: 'greedy' }, draw)).toBe(1);
      expect(sampleToken(logits, { strategy: 'sample', temperature: 0, seed: draw }, draw)).toBe(1);
      expect(sampleToken(logits, { strategy: 'sample', topK: 1, seed: 7 }, draw)).toBe(1);
    }
  });

  it('draws follow softmax(logits / temperature): frequencies of 40,000 draws within 0.01', () => {
    for (const temperature of [1, 0.5, 2]) {
      const n = 40_000;
      const counts = histogram(logits, { strategy: 'sample', temperature, seed: 11 }, n);
      const expected = softmax(logits, temperature);
      counts.forEach((c, i) => expect(Math.abs(c / n - expected[i]), `temperature ${temperature}, token ${i}`).toBeLessThan(0.01));
    }
  });

  it('top-k draws only among the k most likely tokens, in proportion to their softmax', () => {
    const n = 30_000;
    const counts = histogram(logits, { strategy: 'sample', topK: 3, seed: 5 }, n);
    const top3 = [1, 5, 3];
    counts.forEach((c, i) => {
      if (!top3.includes(i)) expect(c, `token ${i} is outside the top 3`).toBe(0);
    });
    const kept = softmax(top3.map((i) => logits[i]), 1);
    top3.forEach((token, j) => expect(Math.abs(counts[token] / n - kept[j])).toBeLessThan(0.01));
  });

  it('a seed gives the same draws every time; another seed other draws', () => {
    const options = (seed: number): SamplingOptions => ({ strategy: 'sample', temperature: 1.5, seed });
    const run = (seed: number) => Array.from({ length: 200 }, (_, i) => sampleToken(logits, options(seed), i));
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('uniform numbers lie in [0, 1) with a mean near 1/2', () => {
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = uniform(9, i);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.01);
  });

  it('NaN or +Infinity logits are a NumericError; bad options a UsageError', () => {
    expect(() => sampleToken([0, Number.NaN, 1], { strategy: 'greedy' }, 4)).toThrow(NumericError);
    expect(() => sampleToken([0, Infinity], { strategy: 'sample' }, 0)).toThrow(/logit 1 of 2 is Infinity/);
    expect(() => sampleToken([-Infinity, -Infinity], { strategy: 'sample' }, 0)).toThrow(NumericError);
    expect(() => sampleToken([], { strategy: 'greedy' }, 0)).toThrow(UsageError);
    expect(() => checkSampling({ strategy: 'sample', temperature: -1 })).toThrow(/temperature/);
    expect(() => checkSampling({ strategy: 'sample', topK: 0 })).toThrow(/topK/);
    expect(() => checkSampling({ strategy: 'sample', topK: 2.5 })).toThrow(UsageError);
    expect(() => checkSampling({ strategy: 'sample', seed: -1 })).toThrow(/seed/);
    expect(() => checkSampling({ strategy: 'beam' } as unknown as SamplingOptions)).toThrow(/unknown strategy 'beam'/);
  });
});
