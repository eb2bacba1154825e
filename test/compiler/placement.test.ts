import { describe, expect, it } from 'vitest';
import { OutOfMemoryError } from '../../ir/errors.js';
import { type PlacementUnit, placeStages, type StageRange } from '../../compiler/parallel/placement.js';

/**
 * The placement pass against brute force: every split of a short chain into contiguous stages
 * is enumerated, and the pass's split must reach the smallest largest stage time among those
 * that respect the memory limit and the units that cannot start a stage. (Its tie-break on
 * memory is per prefix, not over whole splits, so only the time is held to the optimum.)
 */

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function stageCost(units: readonly PlacementUnit[], first: number, end: number, cutMs: readonly number[] | undefined): { ms: number; memory: number } {
  let ms = first > 0 ? (cutMs?.[first] ?? 0) : 0;
  let fixed = 0;
  let peak = 0;
  for (let i = first; i < end; i++) {
    ms += units[i].ms;
    fixed += units[i].fixedBytes;
    peak = Math.max(peak, units[i].peakBytes);
  }
  return { ms, memory: fixed + peak };
}

/** Every way to cut [0, n) into `stages` non-empty ranges, as the start of each range. */
function* splits(n: number, stages: number, from = 0): Generator<number[]> {
  if (stages === 1) {
    yield [from];
    return;
  }
  for (let next = from + 1; next <= n - stages + 1; next++) for (const rest of splits(n, stages - 1, next)) yield [from, ...rest];
}

function objective(units: readonly PlacementUnit[], starts: readonly number[], cutMs: readonly number[] | undefined): { ms: number; memory: number } {
  const costs = starts.map((s, k) => stageCost(units, s, starts[k + 1] ?? units.length, cutMs));
  return { ms: Math.max(...costs.map((c) => c.ms)), memory: Math.max(...costs.map((c) => c.memory)) };
}

function bruteForce(units: readonly PlacementUnit[], stages: number, limit: number, cutMs: readonly number[] | undefined): { ms: number; memory: number } | undefined {
  let best: { ms: number; memory: number } | undefined;
  for (const starts of splits(units.length, stages)) {
    if (starts.some((s) => s > 0 && units[s].cutBefore === false)) continue;
    if (starts.some((s, k) => stageCost(units, s, starts[k + 1] ?? units.length, cutMs).memory > limit)) continue;
    const o = objective(units, starts, cutMs);
    if (!best || o.ms < best.ms || (o.ms === best.ms && o.memory < best.memory)) best = o;
  }
  return best;
}

describe('placeStages', () => {
  it('reaches the brute-force optimum on random chains, or refuses with an OutOfMemoryError exactly when no split fits', () => {
    let placed = 0;
    let refused = 0;
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + Math.floor(random() * 9);
      const units: PlacementUnit[] = Array.from({ length: n }, (_, i) => ({
        name: `layer${i}`,
        ms: random() < 0.5 ? Math.floor(random() * 4) : random() * 3,
        fixedBytes: Math.floor(random() * 100),
        peakBytes: Math.floor(random() * 50),
        ...(i > 0 && random() < 0.2 ? { cutBefore: false } : {}),
      }));
      const cuttable = units.filter((u, i) => i === 0 || u.cutBefore !== false).length;
      const stages = 1 + Math.floor(random() * Math.min(4, cuttable));
      const limit = random() < 0.3 ? Infinity : Math.floor(random() * 400);
      const cutMs = random() < 0.5 ? units.map(() => random() * 0.5) : undefined;
      const expected = bruteForce(units, stages, limit, cutMs);
      const run = () => placeStages(units, stages, limit === Infinity ? undefined : limit, 'chain', cutMs);
      if (!expected) {
        expect(run).toThrow(OutOfMemoryError);
        refused++;
        continue;
      }
      const ranges: StageRange[] = run();
      expect(ranges.map((r) => r.first)).toEqual([0, ...ranges.slice(0, -1).map((r) => r.end)]);
      expect(ranges.length).toBe(stages);
      expect(ranges[ranges.length - 1].end).toBe(n);
      for (const r of ranges) {
        expect(r.first === 0 || units[r.first].cutBefore !== false).toBe(true);
        expect(r.memoryBytes).toBeLessThanOrEqual(limit);
      }
      expect(objective(units, ranges.map((r) => r.first), cutMs).ms).toBe(expected.ms);
      placed++;
    }
    // Both outcomes were exercised.
    expect(placed).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(20);
  });
});
