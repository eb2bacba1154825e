import { setTimeout as sleep } from 'node:timers/promises';

/**
 * When to wait for the GPU, and for how long to sleep first.
 *
 * dawn.node busy-polls a host core while a `mapAsync` / `onSubmittedWorkDone` promise is
 * pending. On lavapipe the "GPU" is the host's cores, so polling steals one of them and slows
 * the work it waits for (~1.6x on two cores). So the runtime predicts when a submission will
 * finish, sleeps most of that time with a timer (which costs nothing), and only then starts the
 * polling wait. Predictions come from completions actually observed.
 */

/** Fraction of the predicted wait spent asleep: under 1 so an overestimate costs little. */
export const SLEEP_FRACTION = 0.8;
/** Weight of a new observation in the moving estimate of a plan's GPU time. */
const EMA_ALPHA = 0.25;
/** Timers are ~1 ms grained; a shorter sleep would only add latency. */
const MIN_SLEEP_MS = 1;

export interface Ticket {
  /** Position of the submission on its device's queue (1-based). */
  readonly seq: number;
  readonly submittedAt: number;
  /** When the queue is predicted to have finished this submission. */
  readonly expectedDoneAt: number;
  /** The device's uncaptured-error count at submission, to tell whether this work raised one. */
  readonly errorsAtSubmit: number;
}

/** The prediction of one device queue: submissions run in order, one after another. */
export class QueueClock {
  #submitted = 0;
  #observed = 0;
  /** Predicted completion of the last submission. */
  #tail = 0;
  /** When the GPU started on the oldest submission not yet observed to finish. */
  #pendingSince = 0;

  submit(gpuMs: number, errorsAtSubmit: number, now = performance.now()): Ticket {
    if (this.#submitted === this.#observed) this.#pendingSince = now;
    const expectedDoneAt = Math.max(now, this.#tail) + gpuMs;
    this.#tail = expectedDoneAt;
    return { seq: ++this.#submitted, submittedAt: now, expectedDoneAt, errorsAtSubmit };
  }

  /** Sleeps through most of the predicted wait for `ticket`; returns at once when it is short. */
  async sleepBefore(ticket: Ticket): Promise<void> {
    if (ticket.seq <= this.#observed) return;
    const wakeAt = ticket.submittedAt + SLEEP_FRACTION * (ticket.expectedDoneAt - ticket.submittedAt);
    const ms = wakeAt - performance.now();
    if (ms >= MIN_SLEEP_MS) await sleep(ms);
  }

  /**
   * Records that `ticket`, and so every submission before it, finished by `now`. Returns the
   * GPU time per submission this implies, or undefined when it says nothing new (an older
   * ticket read late).
   */
  observe(ticket: Ticket, now = performance.now()): number | undefined {
    if (ticket.seq <= this.#observed) return undefined;
    const finished = ticket.seq - this.#observed;
    const perSubmission = Math.max(0, now - this.#pendingSince) / finished;
    this.#observed = ticket.seq;
    // The next queued submission started when this one finished, i.e. about now.
    this.#pendingSince = now;
    if (this.#observed === this.#submitted) this.#tail = now;
    return perSubmission;
  }
}

/** Exponential moving average, seeded by its first sample. */
export function updateEstimate(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + EMA_ALPHA * (sample - previous);
}
