import type { SegmentTimes } from './segment_clock.js';

/**
 * What one rank did when, per training step: device compute (from timestamp queries where the
 * adapter has them, placed on the host clock from the submission; otherwise submission to
 * observed completion) and transfers (host time inside Communicator calls). Idle is the rest.
 * Times are ms on a clock shared by every thread of the process (performance.timeOrigin-based),
 * so the ranks' lanes line up.
 */

export type TimelineKind = 'compute' | 'transfer';

export interface TimelineEvent {
  readonly kind: TimelineKind;
  readonly step: number;
  readonly start: number;
  readonly end: number;
  readonly label: string;
  /** Bytes moved (transfers). */
  readonly bytes?: number;
}

/** Per-step totals for one rank. */
export interface StepTimes {
  readonly step: number;
  readonly wallMs: number;
  readonly computeMs: number;
  readonly transferMs: number;
  /** Transfer time during which the device was computing. */
  readonly hiddenTransferMs: number;
  /** Wall time in which the device was not computing. */
  readonly idleMs: number;
  readonly transferBytes: number;
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  /** Where the device's last timed work ended, on the host clock: the next phase starts no earlier. */
  #deviceFree = 0;
  readonly #steps = new Map<number, { start: number; end: number }>();
  /** Records still waiting for the device's timestamps. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(readonly enabled: boolean) {}

  /** Marks step `step` as running from `start` to `end` (host clock). */
  step(step: number, start: number, end: number): void {
    if (this.enabled) this.#steps.set(step, { start, end });
  }

  /** Times `run` as a transfer. */
  async transfer<T>(step: number, label: string, bytes: number, run: () => Promise<T>): Promise<T> {
    const start = now();
    try {
      return await run();
    } finally {
      if (this.enabled) this.events.push({ kind: 'transfer', step, start, end: now(), label, bytes });
    }
  }

  /**
   * Records the segments of a phase submitted at `submitted`: from the device's timestamps
   * when given, else from submission to `observedDone`.
   */
  compute(step: number, label: string, submitted: number, observedDone: number, times: SegmentTimes | undefined, segmentLabels: readonly string[]): void {
    if (!this.enabled) return;
    if (!times) {
      this.events.push({ kind: 'compute', step, start: submitted, end: observedDone, label });
      this.#deviceFree = observedDone;
      return;
    }
    const origin = Math.max(submitted, this.#deviceFree);
    times.startsMs.forEach((s, k) => {
      this.events.push({ kind: 'compute', step, start: origin + s, end: origin + times.endsMs[k], label: `${label}: ${segmentLabels[k] ?? `segment ${k}`}` });
    });
    this.#deviceFree = origin + (times.endsMs.at(-1) ?? 0);
  }

  /** Records `record` once `times` arrive (device timestamps are read after the phase). */
  later<T>(times: Promise<T>, record: (value: T) => void): void {
    if (!this.enabled) return;
    const done = times.then(record, () => undefined);
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
  }

  /** Waits for the records still on their way. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  /** Drops what was recorded for steps >= `step` (a rollback replays them). */
  forget(step: number): void {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].step >= step) this.events.splice(i, 1);
    for (const s of [...this.#steps.keys()]) if (s >= step) this.#steps.delete(s);
  }

  stepTimes(): StepTimes[] {
    return [...this.#steps.entries()]
      .sort(([a], [b]) => a - b)
      .map(([step, span]) => summarizeStep(step, span, this.events.filter((e) => e.step === step)));
  }
}

function summarizeStep(step: number, span: { start: number; end: number }, events: readonly TimelineEvent[]): StepTimes {
  const compute = union(events.filter((e) => e.kind === 'compute'));
  const transfer = union(events.filter((e) => e.kind === 'transfer'));
  const length = (list: readonly [number, number][]) => list.reduce((s, [a, b]) => s + (b - a), 0);
  const computeMs = length(compute);
  const transferMs = length(transfer);
  let hidden = 0;
  for (const [a, b] of transfer) for (const [c, d] of compute) hidden += Math.max(0, Math.min(b, d) - Math.max(a, c));
  const wallMs = span.end - span.start;
  return {
    step,
    wallMs,
    computeMs,
    transferMs,
    hiddenTransferMs: hidden,
    idleMs: Math.max(0, wallMs - computeMs),
    transferBytes: events.reduce((s, e) => s + (e.bytes ?? 0), 0),
  };
}

/** Merges intervals into disjoint ones, in order. */
function union(events: readonly TimelineEvent[]): [number, number][] {
  const sorted = events.map((e): [number, number] => [e.start, e.end]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
