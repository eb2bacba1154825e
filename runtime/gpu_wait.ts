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
const EMA_ALPHA = 0.5;
/** A poll this short after waking means the work was already done: we overslept. */
const OVERSLEPT_MS = 0.25;
const OVERSLEPT_FRACTION = 0.02;
/** Timers are ~1 ms grained; a shorter sleep would only add latency. */
const MIN_SLEEP_MS = 1;

/**
 * Resolves after `ms` milliseconds. Over the global `setTimeout` rather than Node's
 * `timers/promises`, so the runtime also runs where only the web's timers exist (a browser).
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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
  /**
   * When the GPU started on the oldest submission not yet observed to finish, and whether that
   * time is exact: it is when that submission found the queue idle. When it is the time an
   * earlier completion was observed, it may be late (the host handles callbacks when it can),
   * and a sample measured from it would come out short.
   */
  #pendingSince = 0;
  #exact = false;

  submit(gpuMs: number, errorsAtSubmit: number, now = performance.now()): Ticket {
    if (this.#submitted === this.#observed) {
      this.#pendingSince = now;
      this.#exact = true;
    }
    const expectedDoneAt = Math.max(now, this.#tail) + gpuMs;
    this.#tail = expectedDoneAt;
    return { seq: ++this.#submitted, submittedAt: now, expectedDoneAt, errorsAtSubmit };
  }

  /**
   * Sleeps through most of the predicted wait for `ticket`; returns at once when it is short.
   * Resolves to the time it woke, or undefined when it did not sleep.
   */
  async sleepBefore(ticket: Ticket): Promise<number | undefined> {
    if (ticket.seq <= this.#observed) return undefined;
    const wakeAt = ticket.submittedAt + SLEEP_FRACTION * (ticket.expectedDoneAt - ticket.submittedAt);
    const ms = wakeAt - performance.now();
    if (ms < MIN_SLEEP_MS) return undefined;
    await sleep(ms);
    return performance.now();
  }

  /**
   * Records that `ticket`, and so every submission before it, finished by `now`. Returns the
   * GPU time per submission this measures, or undefined when it measures nothing reliable.
   */
  observe(ticket: Ticket, now = performance.now()): number | undefined {
    if (ticket.seq <= this.#observed) return undefined;
    const finished = ticket.seq - this.#observed;
    const sample = this.#exact ? Math.max(0, now - this.#pendingSince) / finished : undefined;
    this.#observed = ticket.seq;
    // The next queued submission started when this one finished: about now, or earlier.
    this.#pendingSince = now;
    this.#exact = false;
    if (this.#observed === this.#submitted) this.#tail = now;
    return sample;
  }
}

/**
 * The GPU time of one run of a plan, learned from observed completions.
 *
 * A completion observed by polling measures the time itself. One found already done on waking
 * only bounds it (we overslept, and the sample is our own sleep), so then the estimate halves
 * instead: an overestimate idles the GPU's host, which costs more than polling.
 */
export class GpuTimeEstimate {
  #ms: number | undefined;
  #skipped = false;

  /** Milliseconds, or undefined until learned. */
  get ms(): number | undefined {
    return this.#ms;
  }

  /**
   * `sample`: ms per submission observed; `pollMs`: how long the polling wait took after
   * waking from a sleep (undefined when there was no sleep).
   */
  learn(sample: number, pollMs: number | undefined): void {
    // The first run pays one-time costs (Dawn clears new buffers lazily, on first use).
    if (!this.#skipped) {
      this.#skipped = true;
      return;
    }
    const previous = this.#ms;
    if (previous === undefined) this.#ms = sample;
    else if (pollMs !== undefined && pollMs < Math.max(OVERSLEPT_MS, OVERSLEPT_FRACTION * sample)) this.#ms = 0.5 * Math.min(previous, sample);
    else this.#ms = previous + EMA_ALPHA * (sample - previous);
  }
}
