import { OutOfMemoryError, UsageError } from '../../ir/index.js';

/**
 * The placement pass's core: a chain of units (a model's layers, or a graph's nodes in
 * topological order) split into contiguous stages so that the slowest stage is as fast as
 * possible (the pipeline's throughput), every stage fitting a device's memory. Exact in that
 * time, by dynamic programming over (stages, prefix): O(S·n²) for n units.
 */

export interface PlacementUnit {
  readonly name: string;
  /** Estimated time of the unit's work (ms), under the cost model. */
  readonly ms: number;
  /** Bytes the unit keeps for the whole run (parameters, optimizer state, accumulators). */
  readonly fixedBytes: number;
  /** Bytes of the unit's working set (activations): a stage needs its largest unit's. */
  readonly peakBytes: number;
  /** Whether a stage may start at this unit (false keeps it with the one before: shared weights). */
  readonly cutBefore?: boolean;
}

export interface StageRange {
  readonly first: number;
  /** Exclusive. */
  readonly end: number;
  readonly ms: number;
  readonly memoryBytes: number;
}

export function stageRangeName(units: readonly PlacementUnit[], r: StageRange): string {
  return r.end - r.first === 1 ? units[r.first].name : `${units[r.first].name}–${units[r.end - 1].name}`;
}

/**
 * Splits `units` into `stages` contiguous ranges minimizing the largest stage time; ties go
 * to the smaller largest memory of each prefix (so over whole splits the memory is not always
 * the least; test/compiler/placement.test.ts). `cutMs[j]` is what a stage starting at unit j pays to receive
 * its input. A split where some stage exceeds `memoryLimit` is not taken;
 * when every split has one, the error names the best split's largest stage and its numbers.
 */
export function placeStages(units: readonly PlacementUnit[], stages: number, memoryLimit: number | undefined, what: string, cutMs?: readonly number[]): StageRange[] {
  const n = units.length;
  if (!Number.isInteger(stages) || stages < 1) throw new UsageError(`${what}: the stage count must be a whole number >= 1, got ${stages}`);
  const cuttable = units.map((u, i) => i === 0 || u.cutBefore !== false);
  if (cuttable.filter(Boolean).length < stages) throw new UsageError(`${what}: ${n} layer${n === 1 ? '' : 's'} cannot be split into ${stages} stages${cuttable.some((c) => !c) ? ' (layers sharing weights stay together)' : ''}`);
  const range = (first: number, end: number): StageRange => {
    let ms = first > 0 ? (cutMs?.[first] ?? 0) : 0;
    let fixed = 0;
    let peak = 0;
    for (let i = first; i < end; i++) {
      ms += units[i].ms;
      fixed += units[i].fixedBytes;
      peak = Math.max(peak, units[i].peakBytes);
    }
    return { first, end, ms, memoryBytes: fixed + peak };
  };
  const solve = (limit: number) => {
    // best[s][i]: the best split of units [0, i) into s stages, as (largest ms, largest memory, ranges).
    type Best = { ms: number; memory: number; ranges: StageRange[] } | undefined;
    const best: Best[][] = Array.from({ length: stages + 1 }, () => new Array<Best>(n + 1).fill(undefined));
    best[0][0] = { ms: 0, memory: 0, ranges: [] };
    for (let s = 1; s <= stages; s++) {
      // The last stage [j, i) grows one unit at a time from each start j, so its sums cost O(1)
      // per (j, i) and add up in unit order, as range() does; each best[s][i] still sees its
      // candidates in increasing j.
      for (let j = s - 1; j < n; j++) {
        const before = best[s - 1][j];
        if (!before || !cuttable[j]) continue;
        let ms = j > 0 ? (cutMs?.[j] ?? 0) : 0;
        let fixed = 0;
        let peak = 0;
        for (let i = j + 1; i <= n; i++) {
          ms += units[i - 1].ms;
          fixed += units[i - 1].fixedBytes;
          peak = Math.max(peak, units[i - 1].peakBytes);
          const memoryBytes = fixed + peak;
          if (memoryBytes > limit) continue;
          const current = best[s][i];
          const candidateMs = Math.max(before.ms, ms);
          const candidateMemory = Math.max(before.memory, memoryBytes);
          if (!current || candidateMs < current.ms || (candidateMs === current.ms && candidateMemory < current.memory)) {
            best[s][i] = { ms: candidateMs, memory: candidateMemory, ranges: [...before.ranges, { first: j, end: i, ms, memoryBytes }] };
          }
        }
      }
    }
    return best[stages][n];
  };
  const found = solve(memoryLimit ?? Infinity);
  if (found) return found.ranges;
  // Nothing fits: report the split whose largest stage is smallest in memory.
  let lo = 0;
  let hi = range(0, n).memoryBytes;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (solve(mid)) hi = mid;
    else lo = mid + 1;
  }
  const tightest = solve(hi)!;
  const worst = tightest.ranges.reduce((a, r) => (r.memoryBytes > a.memoryBytes ? r : a));
  const index = tightest.ranges.indexOf(worst);
  throw new OutOfMemoryError(
    `${what}: no split into ${stages} stages fits ${memoryLimit} bytes per device; the best needs ${worst.memoryBytes} bytes for stage ${index} (${stageRangeName(units, worst)}: ${units.slice(worst.first, worst.end).reduce((s, u) => s + u.fixedBytes, 0)} bytes of parameters and optimizer state, ${Math.max(...units.slice(worst.first, worst.end).map((u) => u.peakBytes))} of activations)`,
  );
}
