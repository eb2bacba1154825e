import { DeviceError } from '../ir/errors.js';
import type { DType } from '../ir/dtype.js';
import type { StaticShape } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';
import type { RunFeed } from './device_feeds.js';
import type { DeviceTensor } from './device_tensor.js';
import type { RunInput } from './host_data.js';
import type { PlanRunner } from './plan_runner.js';
import type { RunHandle } from './run_handle.js';
import type { RunnerSlot } from './runner_slot.js';
import { SnapshotStore, type StateSnapshot } from './state_snapshots.js';

/**
 * When an executable copies its states to the host, so that a device loss costs at most the
 * runs since the last copy (SnapshotStore keeps the copies; DeviceLossRecovery restores them).
 *
 * Snapshots are off until opted into, by `snapshotEvery` at load or by a first `snapshot()`:
 * each costs a copy of every state. Once on:
 * - every `snapshotEvery`-th run copies the states home in its own submission;
 * - `snapshot()` copies them after the runs submitted so far;
 * - `writeState` is journaled and followed by a copy, so that a loss never brings back the
 *   value from before the write.
 */
export class SnapshotPolicy {
  readonly #store = new SnapshotStore();
  readonly #slot: RunnerSlot;
  readonly #every: number | undefined;
  #on: boolean;
  #writeCopyQueued = false;

  /** `every`: the `snapshotEvery` option (checked by the caller: a whole number >= 1). */
  constructor(slot: RunnerSlot, every: number | undefined) {
    this.#slot = slot;
    this.#every = every;
    this.#on = every !== undefined;
  }

  /** The newest host copy of the states, if any. */
  get latest(): StateSnapshot | undefined {
    return this.#store.latest;
  }

  /** Whether the run with index `run` takes a snapshot. */
  dueAt(run: number): boolean {
    return this.#on && this.#every !== undefined && run % this.#every === 0;
  }

  /**
   * Submits one run on `runner`. When a snapshot is due, the states copy rides in the run's own
   * submission and `snapshot` resolves once it is home (to undefined if the copy failed; it
   * never rejects).
   */
  submit(
    runner: PlanRunner,
    inputs: Readonly<Record<string, RunFeed>>,
    options: { readonly outputs?: readonly string[]; readonly into?: Readonly<Record<string, DeviceTensor>> },
  ): { handle: RunHandle; snapshot: Promise<StateSnapshot | undefined> | undefined } {
    const { handle, states, run } = runner.submit(inputs, { outputs: options.outputs, into: options.into, readStates: this.dueAt(runner.runCount + 1) });
    return { handle, snapshot: states ? this.#store.track(run, states.read()) : undefined };
  }

  /**
   * Keeps states already on the host as the snapshot of run `run` (a guarded run's, once the
   * guard found them finite: a snapshot must never hold the values a check rejected).
   */
  keep(run: number, states: Readonly<Record<string, HostTensor>>): void {
    this.#store.set(run, states);
  }

  /**
   * Copies every state to the host now (after the runs submitted so far) and keeps the copy as
   * the snapshot a device loss restores; turns snapshots on.
   */
  async take(runner: PlanRunner): Promise<StateSnapshot> {
    runner.assertLive();
    this.#on = true;
    const snapshot = await this.#store.track(runner.runCount, runner.copyStates());
    if (!snapshot) {
      runner.device.assertUsable(runner.what);
      throw new DeviceError(`${runner.what}: copying the states to the host failed`);
    }
    return snapshot;
  }

  /** Journals a state the caller just wrote (`tensor`: its type), and snapshots after it when on. */
  wrote(name: string, tensor: { readonly dtype: DType; readonly shape: StaticShape }, value: RunInput): void {
    const source = ArrayBuffer.isView(value) ? value : value.data;
    // The caller may reuse its array: the journal keeps its own copy.
    this.#store.recordWrite(name, { dtype: tensor.dtype, shape: [...tensor.shape], data: source.slice() });
    if (!this.#on || this.#writeCopyQueued) return;
    // One copy for all the writes of this turn (a checkpoint load writes every state), taken
    // once they are all queued.
    this.#writeCopyQueued = true;
    queueMicrotask(() => {
      this.#writeCopyQueued = false;
      const runner = this.#slot.runner;
      if (!this.#slot.disposed && !runner.device.lostInfo) void this.#store.track(runner.runCount, runner.copyStates());
    });
  }

  /**
   * What a recovery uploads: the newest snapshot with the writes made after it laid over it
   * (states undefined: the plan's initial values), once every copy in flight has arrived or
   * failed (one on its way back may have made it before the loss).
   */
  async restorable(): Promise<{ run: number; states: Readonly<Record<string, HostTensor>> | undefined }> {
    await this.#store.settle();
    return this.#store.restorable();
  }
}
