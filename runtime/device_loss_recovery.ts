import { DeviceError, UsageError } from '../ir/errors.js';
import type { HostTensor } from '../ir/tensor.js';
import type { ExecutableOptions } from './executable_options.js';
import type { RunnerSlot } from './runner_slot.js';

/**
 * Device-loss recovery around an executable's runner. A lost device (driver reset, GPU hang,
 * `GPUDevice.destroy()`) takes every buffer and pipeline with it, so recovering means building
 * the runner again on the device's `replacement()` (shared by every executable of the lost
 * device), with the states of the newest host snapshot, and retrying what failed once.
 */

/** Where a recovery gets the states it restores. */
export interface RestorableStates {
  /**
   * The run count and states to restore (undefined states: the plan's initial values), once
   * every copy in flight has arrived or failed.
   */
  restorable(): Promise<{ run: number; states: Readonly<Record<string, HostTensor>> | undefined }>;
}

/** What `retrying` does on a loss ('recover' by default, or 'throw'), and whom a recovery tells. */
export type RecoveryOptions = Pick<ExecutableOptions, 'onDeviceLost' | 'onRecovered'>;

export class DeviceLossRecovery {
  readonly #slot: RunnerSlot;
  readonly #snapshots: RestorableStates;
  readonly #options: RecoveryOptions;
  #recovering: Promise<void> | undefined;
  #recoveries = 0;

  constructor(slot: RunnerSlot, snapshots: RestorableStates, options: RecoveryOptions) {
    this.#slot = slot;
    this.#snapshots = snapshots;
    this.#options = options;
  }

  /** How many device losses have been recovered from. */
  get recoveries(): number {
    return this.#recoveries;
  }

  /**
   * Runs `attempt` (which must reach the runner through the slot, so that a retry uses the new
   * one). Work started on a device already known lost recovers first; when `attempt` fails with
   * a DeviceError and its device turns out lost, recovers and runs it once more.
   */
  async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const recovering = this.#options.onDeviceLost !== 'throw';
    if (recovering && !this.#slot.disposed && this.#slot.runner.device.lostInfo) await this.recover();
    const device = this.#slot.runner.device;
    try {
      return await attempt();
    } catch (error) {
      // Dawn fails the work a little before it reports the loss: give the news a moment.
      if (!recovering || this.#slot.disposed || !(error instanceof DeviceError) || !(await device.settleLoss())) throw error;
      await this.recover();
      return attempt();
    }
  }

  /**
   * Moves to a new device after a loss. A no-op while the device is usable. Concurrent callers
   * (every run in flight when the device went) share one recovery.
   */
  recover(): Promise<void> {
    this.#recovering ??= this.#recover().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #recover(): Promise<void> {
    const old = this.#slot.runner;
    if (this.#slot.disposed) throw new UsageError(`${old.what}: the executable was disposed`);
    const lost = old.device.lostInfo;
    if (!lost) return;
    const restore = await this.#snapshots.restorable();
    const device = await old.device.replacement();
    const next = await old.rebuildOn(device, restore);
    if (this.#slot.disposed) {
      next.release();
      throw new UsageError(`${old.what}: the executable was disposed while recovering from a device loss`);
    }
    const lostRuns = old.runCount - restore.run;
    this.#slot.swap(next);
    this.#recoveries++;
    this.#options.onRecovered?.({ reason: `${lost.reason || 'unknown'}: ${lost.message.split('\n')[0]}`, device, restoredRun: restore.run, lostRuns });
  }
}
