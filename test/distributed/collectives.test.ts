import { describe, expect, it } from 'vitest';
import { CommunicationError, DataError } from '../../ir/errors.js';
import { launchInProcess, valuesOrThrow } from '../../runtime/distributed/launch_in_process.js';
import { rankValues } from './ranks/collective_ranks.js';

/**
 * The in-process communicator's numerics and failure modes, on real worker threads. The oracle
 * of a reduction is a float64 sum on the host of every rank's inputs, rounded once to f32.
 */
const entry = (name: string) => ({ module: new URL('./ranks/collective_ranks.ts', import.meta.url).href, name });
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('in-process communicator', () => {
  it('allReduce sum and mean equal a float64 host sum, on every rank, across chunks and odd sizes', async () => {
    const lengths = [1, 5, 1000, 2500, 0];
    for (const size of [2, 3, 4]) {
      const results = valuesOrThrow(
        await launchInProcess<{ sum: Float32Array[]; mean: Float32Array[]; again: Float32Array[] }>(entry('allReduceRank'), { seed: size, lengths }, { size, chunkElements: 1000 }),
      );
      lengths.forEach((length, k) => {
        const inputs = Array.from({ length: size }, (_, r) => rankValues(size, r, length));
        const f64 = Float64Array.from({ length }, (_, i) => inputs.reduce((s, x) => s + x[i], 0));
        const expectedSum = Float32Array.from(f64);
        const expectedMean = Float32Array.from(f64, (v) => v / size);
        for (const r of results) {
          expect(bits(r.sum[k]), `size ${size} length ${length} sum`).toEqual(bits(expectedSum));
          expect(bits(r.mean[k]), `size ${size} length ${length} mean`).toEqual(bits(expectedMean));
          // The default op is sum, and a second reduction of the same inputs gives the same bits.
          expect(bits(r.again[k])).toEqual(bits(r.sum[k]));
        }
      });
    }
  });

  it('broadcast copies the root bytes to every rank, over several chunks', async () => {
    const bytes = 10_001;
    const results = valuesOrThrow(await launchInProcess<Uint8Array>(entry('broadcastRank'), { root: 1, bytes }, { size: 3, chunkElements: 1000 }));
    const expected = Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + 3) & 255);
    for (const r of results) expect(Buffer.from(r).equals(Buffer.from(expected))).toBe(true);
  });

  it('send/recv deliver messages larger than a mailbox, in order, around a ring', async () => {
    const results = valuesOrThrow(await launchInProcess<number[]>(entry('ringRank'), { bytes: 8 * 3000, rounds: 3 }, { size: 4, mailboxBytes: 4096 }));
    for (const r of results) expect(r).toEqual([3000, 3000, 3000]);
  });

  it('barrier holds every rank until the last arrives', async () => {
    // No rank leaves before the last one (rank 0, 300 ms late) arrived. Not a duration: worker
    // threads start at different times on a loaded machine, so time spent waiting varies.
    const times = valuesOrThrow(await launchInProcess<{ arrived: number; left: number }>(entry('barrierRank'), undefined, { size: 3 }));
    const lastArrival = Math.max(...times.map((t) => t.arrived));
    for (const t of times) expect(t.left).toBeGreaterThanOrEqual(lastArrival);
  });

  it('a rank that throws fails the others with a CommunicationError naming it, not a hang', async () => {
    const outcomes = await launchInProcess<string>(entry('failingRank'), { failing: 1 }, { size: 3 });
    const failed = outcomes.find((o) => o.rank === 1)!;
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toBeInstanceOf(DataError);
    for (const o of outcomes.filter((o) => o.rank !== 1)) {
      expect(o.ok).toBe(false);
      const error = !o.ok ? o.error : undefined;
      expect(error).toBeInstanceOf(CommunicationError);
      expect(error?.message).toMatch(new RegExp(`^rank ${o.rank}: allReduce\\(sum\\) of 8 values: waiting for rank 1: rank 1 failed \\(DataError: rank 1 could not read its shard\\)`));
    }
    // The root cause is what the job reports.
    expect(() => valuesOrThrow(outcomes)).toThrow(DataError);
  });

  it('ranks that disagree on a reduction size all fail with a CommunicationError', async () => {
    const outcomes = await launchInProcess<void>(entry('mismatchedRank'), undefined, { size: 3 });
    for (const o of outcomes) {
      expect(o.ok).toBe(false);
      expect(!o.ok && o.error).toBeInstanceOf(CommunicationError);
      expect(!o.ok && o.error.message).toMatch(/gave 1[01]; every rank must give the same size|rank \d failed/);
    }
  });

  it('a receive nobody answers times out with a CommunicationError', async () => {
    const outcomes = await launchInProcess<void>(entry('silentRank'), undefined, { size: 2, timeoutMs: 300 });
    const stuck = outcomes[1];
    expect(!stuck.ok && stuck.error).toBeInstanceOf(CommunicationError);
    expect(!stuck.ok && stuck.error.message).toBe('rank 1: recv of 4 bytes from rank 0 (tag 9): waiting for rank 0 to send: no answer after 0 s');
  });
});
