import type { PlanRunner } from './plan_runner.js';

/**
 * The runner an executable works through now. A device-loss recovery swaps in a runner rebuilt
 * on a new device; `dispose` releases the runner and ends the executable for good. The
 * executable and its policies share this one object, so each always reaches the runner of the
 * moment (a snapshot queued before a recovery copies the new device's states, not the lost
 * one's), and none has to hold a reference back to the executable.
 */
export class RunnerSlot {
  #runner: PlanRunner;
  #disposed = false;

  constructor(runner: PlanRunner) {
    this.#runner = runner;
  }

  /** The runner now; after `dispose`, the released one (whose every operation is a UsageError). */
  get runner(): PlanRunner {
    return this.#runner;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Puts `next` in the old runner's place and releases the old one (its handles then fail to read). */
  swap(next: PlanRunner): void {
    const old = this.#runner;
    this.#runner = next;
    old.release();
  }

  /** Releases the runner; idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#runner.release();
  }
}
