import type { PipelineSchedule } from '../../ir/parallel_program.js';

/**
 * The order in which one stage runs its micro-batches' forward (F) and backward (B) passes.
 *
 * GPipe: every forward, then every backward; a stage holds all M inputs at its peak.
 * 1F1B (PipeDream-Flush): stage s runs S−s−1 forwards to fill the pipeline, then alternates one
 * forward and one backward, then drains; it holds at most S−s inputs at once, and the bubble is
 * the same as GPipe's.
 *
 * Backwards run in micro-batch order in both, so gradients accumulate in the same order and
 * the two schedules give the same bits.
 */
export interface PipelineOp {
  readonly kind: 'F' | 'B';
  readonly microBatch: number;
}

export function stageOps(schedule: PipelineSchedule, stages: number, stage: number, microBatches: number): PipelineOp[] {
  const f = (m: number): PipelineOp => ({ kind: 'F', microBatch: m });
  const b = (m: number): PipelineOp => ({ kind: 'B', microBatch: m });
  const all = Array.from({ length: microBatches }, (_, m) => m);
  if (schedule === 'gpipe') return [...all.map(f), ...all.map(b)];
  const warmup = Math.min(stages - stage - 1, microBatches);
  const ops = all.slice(0, warmup).map(f);
  for (let i = 0; i < microBatches - warmup; i++) ops.push(f(warmup + i), b(i));
  for (let m = microBatches - warmup; m < microBatches; m++) ops.push(b(m));
  return ops;
}

/** The most stage inputs a stage keeps at once under the schedule (for memory estimates). */
export function peakInFlight(ops: readonly PipelineOp[]): number {
  let live = 0;
  let peak = 0;
  for (const op of ops) {
    live += op.kind === 'F' ? 1 : -1;
    peak = Math.max(peak, live);
  }
  return peak;
}
