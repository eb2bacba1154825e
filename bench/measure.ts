/**
 * Warm-up, then the median of N timed runs, N chosen from the warm-up time so that a case
 * takes about its budget: many runs of a fast case, at least one of a slow one.
 */

export interface MeasureOptions {
  /** Time for the timed runs. */
  readonly budgetMs: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** No new run starts after this (epoch ms) once at least one has been timed. */
  readonly deadline: number;
}

export interface Measurement {
  readonly medianMs: number;
  readonly runs: number;
  readonly timesMs: readonly number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The middle value, the upper of the two for an even count (one of the values measured, never
 * an average of two); NaN when there are none.
 */
export function upperMedian(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Runs a case after its checked first run: one more warm-up, then the timed runs. */
export async function measure(run: () => Promise<void>, options: MeasureOptions): Promise<Measurement> {
  // The first (checked) run compiled pipelines and filled caches; this one settles the rest
  // (staging buffers, a GPU-time estimate, JIT tiers). Short cases get a few.
  let warm = await timed(run);
  for (let i = 0; i < 3 && warm < 50; i++) warm = await timed(run);

  const affordable = Math.floor(options.budgetMs / Math.max(warm, 1e-3));
  const planned = Math.max(1, Math.min(options.maxRuns, Math.max(affordable, Math.min(options.minRuns, Math.floor((2 * options.budgetMs) / warm)))));
  const times: number[] = [];
  for (let i = 0; i < planned; i++) {
    if (times.length > 0 && Date.now() + median(times) > options.deadline) break;
    times.push(await timed(run));
  }
  return { medianMs: median(times), runs: times.length, timesMs: times };
}
