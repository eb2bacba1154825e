import { UsageError } from '../ir/errors.js';
import type { DimFact } from '../ir/dim_expr.js';
import type { Plan } from '../ir/plan.js';
import type { HostTensor } from '../ir/tensor.js';
import { type DawnDevice, getDefaultDevice } from './device.js';
import { DeviceLossRecovery } from './device_loss_recovery.js';
import type { ExecutableOptions, RunOptions, TensorSpec } from './executable_options.js';
import type { RunFeed } from './device_feeds.js';
import type { RunInput } from './host_data.js';
import { NumericGuard } from './numeric_guard.js';
import { PlanRunner, type StepProfile } from './plan_runner.js';
import type { RunHandle } from './run_handle.js';
import { RunnerSlot } from './runner_slot.js';
import { SnapshotPolicy } from './snapshot_policy.js';
import type { StateSnapshot } from './state_snapshots.js';

/**
 * A Plan made ready to run on one device: what users load. It is a PlanRunner (the core: load,
 * submit, read back; see plan_runner.ts) with the resilience policies composed around it, each
 * in its own file:
 * - SnapshotPolicy (snapshot_policy.ts): host copies of the states, every `snapshotEvery`
 *   runs, on `snapshot()` and after `writeState`;
 * - DeviceLossRecovery (device_loss_recovery.ts): when the device is lost, `run()`,
 *   `readState()` and `snapshot()` move to a new device (the runner rebuilt there with the
 *   newest snapshot) and retry once; `dispatch()` handles fail and `recover()` does the move;
 * - NumericGuard (numeric_guard.ts): with `numericGuard`, every `run()` is checked for
 *   non-finite outputs and states before the next one starts.
 * The runner they share sits in a RunnerSlot, which a recovery swaps.
 */

export type { ExecutableOptions, RecoveryEvent, RunOptions, TensorSpec } from './executable_options.js';
export type { StepProfile } from './plan_runner.js';
export type { StateSnapshot } from './state_snapshots.js';

export class Executable {
  readonly plan: Plan;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly states: readonly TensorSpec[];
  readonly #slot: RunnerSlot;
  readonly #snapshots: SnapshotPolicy;
  readonly #recovery: DeviceLossRecovery;
  readonly #guard: NumericGuard | undefined;

  private constructor(runner: PlanRunner, options: ExecutableOptions) {
    const plan = runner.plan;
    this.plan = plan;
    const spec = (name: string, id: number): TensorSpec => ({ name, dtype: plan.tensors[id].dtype, shape: plan.tensors[id].shape });
    this.inputs = plan.inputs.map((io) => spec(io.name, io.tensor));
    this.outputs = plan.outputs.map((io) => spec(io.name, io.tensor));
    this.states = plan.states.map((s) => spec(plan.tensors[s.tensor].name, s.tensor));
    this.#slot = new RunnerSlot(runner);
    this.#snapshots = new SnapshotPolicy(this.#slot, options.snapshotEvery);
    this.#recovery = new DeviceLossRecovery(this.#slot, this.#snapshots, options);
    const guard = options.numericGuard === true ? {} : options.numericGuard || undefined;
    this.#guard = guard ? new NumericGuard(guard) : undefined;
  }

  /** Checks the plan against the device, then creates everything its runs will use. */
  static async load(plan: Plan, device?: DawnDevice, options: ExecutableOptions = {}): Promise<Executable> {
    const dev = device ?? (await getDefaultDevice());
    dev.assertUsable(`plan '${plan.name}'`);
    const every = options.snapshotEvery;
    if (every !== undefined && !(Number.isInteger(every) && every >= 1)) throw new UsageError(`plan '${plan.name}': snapshotEvery must be a whole number >= 1, got ${every}`);
    // Undoing a run needs a copy of the states set aside before it: a buffer held from load on.
    const backup = typeof options.numericGuard === 'object' && options.numericGuard.skipUpdate === true;
    return new Executable(await PlanRunner.load(plan, dev, { backup }), options);
  }

  /** The device the executable runs on now (a new one after a recovery). */
  get device(): DawnDevice {
    return this.#runner.device;
  }

  /** Bytes of GPU memory this executable holds (regions, scratch, readback buffers). */
  get allocatedBytes(): number {
    return this.#runner.allocatedBytes;
  }

  /** The learned estimate of one run's GPU time, in ms (undefined before the second readback). */
  get gpuTimeEstimateMs(): number | undefined {
    return this.#runner.gpuTimeEstimateMs;
  }

  /** Runs submitted so far (reset to the snapshot's count by a recovery). */
  get runCount(): number {
    return this.#runner.runCount;
  }

  /** Shader modules this executable compiled (at load, once: never again for a new size of its symbolic dims). */
  get shaderModules(): number {
    return this.#runner.shaderModules;
  }

  /** Distinct bindings of the plan's symbolic dims run so far (1 for a static plan). */
  get bindingsMade(): number {
    return this.#runner.bindingsMade;
  }

  /** The symbolic dims of the plan, with their declared facts (empty for a static plan). */
  get dims(): Readonly<Record<string, DimFact>> {
    return this.plan.symbolic?.dims ?? {};
  }

  /** How many device losses this executable has recovered from. */
  get recoveries(): number {
    return this.#recovery.recoveries;
  }

  /** The newest host copy of the states, if any. */
  get lastSnapshot(): StateSnapshot | undefined {
    return this.#snapshots.latest;
  }

  /**
   * Uploads the inputs and submits one run; nothing is awaited. The handle reads the requested
   * outputs later. Throws InputError (synchronously) before anything is written. Neither
   * guarded nor retried: a handle is tied to the device it was submitted on.
   */
  dispatch(inputs: Readonly<Record<string, RunFeed>>, options: RunOptions = {}): RunHandle {
    return this.#snapshots.submit(this.#runner, inputs, options).handle;
  }

  /**
   * Runs once and reads back the requested outputs (default: all). On device loss it
   * recovers (see ExecutableOptions) and retries once; with the numeric guard it checks the
   * run's values first.
   */
  async run(inputs: Readonly<Record<string, RunFeed>>, options: RunOptions = {}): Promise<Record<string, HostTensor>> {
    const guard = this.#guard;
    if (guard) {
      // Serialized outside the retry: a run retried after a loss keeps its place in line.
      return guard.oneAtATime(() => this.#recovery.retrying(() => guard.checkedRun(this.#runner, inputs, options, this.#snapshots)));
    }
    return this.#recovery.retrying(async () => {
      const { handle, snapshot } = this.#snapshots.submit(this.#runner, inputs, options);
      // A run that takes a snapshot returns once the snapshot is home: a loss right after it
      // then loses nothing.
      const [outputs] = await Promise.all([handle.read(), snapshot]);
      return outputs;
    });
  }

  /** A state's value after every run submitted so far. */
  readState(name: string): Promise<HostTensor> {
    return this.#recovery.retrying(() => this.#runner.readState(name));
  }

  /** Overwrites a state; runs submitted before see the old value, runs after the new one. */
  writeState(name: string, value: RunInput): void {
    const runner = this.#runner;
    runner.writeState(name, value);
    this.#snapshots.wrote(name, runner.state(name), value);
  }

  /**
   * Copies every state to the host now (after the runs submitted so far) and keeps the copy as
   * the snapshot a device loss restores. From then on, writeState snapshots too.
   */
  snapshot(): Promise<StateSnapshot> {
    return this.#recovery.retrying(() => this.#snapshots.take(this.#runner));
  }

  /**
   * Moves to a new device after a loss: pipelines compiled again, constants uploaded again,
   * the states of the newest snapshot (or the plan's initial values) restored. A no-op while
   * the device is usable. Concurrent callers share one recovery.
   */
  recover(): Promise<void> {
    return this.#recovery.recover();
  }

  /**
   * Device time of each step, the median of `runs` runs, from timestamp queries (the adapter
   * feature 'timestamp-query'). Each step runs in its own pass, so the sum exceeds a plain run by
   * the passes' overhead. Profiled runs are real runs: a training plan's states advance.
   */
  profile(inputs: Readonly<Record<string, RunInput>>, runs = 5): Promise<StepProfile[]> {
    return this.#runner.profile(inputs, runs);
  }

  /** Destroys every buffer; runs still in flight then fail to read back. Idempotent. */
  dispose(): void {
    this.#slot.dispose();
  }

  /** The runner of the moment: read on every call, since a recovery replaces it. */
  get #runner(): PlanRunner {
    return this.#slot.runner;
  }
}
