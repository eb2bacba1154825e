import { DeviceError, UsageError } from '../ir/errors.js';
import type { Plan, PlanRegion, PlanTensor } from '../ir/plan.js';
import type { HostTensor } from '../ir/tensor.js';
import { type DawnDevice, getDefaultDevice, type GpuErrorRecord, popCapturedErrors } from './device.js';
import type { ExecutableOptions, RunOptions, TensorSpec } from './executable_options.js';
import { createResources, type DeviceResources, releaseResources } from './device_resources.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { GpuTimeEstimate, SLEEP_FRACTION } from './gpu_wait.js';
import { checkInputs, encodeHostData, roundUp4, type RunInput, selectOutputs } from './host_data.js';
import { findNonFinite, NonFiniteError, type NumericGuardOptions } from './numeric_guard.js';
import { checkPlan } from './plan_check.js';
import { type ReadbackEntry, type ReadbackSource, RunHandle, type UploadLease } from './run_handle.js';
import type { StepInfo } from './program.js';
import { SnapshotStore, type StateSnapshot } from './state_snapshots.js';
import { StepTimer } from './step_timer.js';

/**
 * A Plan made ready to run on one device. Everything a run needs (region buffers, pipelines,
 * bind groups) is created once by `load`; a run only uploads its inputs, records one compute
 * pass and the copies after it, and submits once. Runs are serialized by the device queue, so
 * any number may be in flight: each reads back through its own staging buffer.
 *
 * Faults: each submission runs inside validation and out-of-memory error scopes, whose catch is
 * reported by that run's read as a DeviceError / OutOfMemoryError. When the device is lost,
 * `run()` moves the executable to a new device (pipelines, constants, and the states of the
 * last snapshot) and retries once; `dispatch()` handles fail and `recover()` does the move.
 */

export type { ExecutableOptions, RecoveryEvent, RunOptions, TensorSpec } from './executable_options.js';
export type { StateSnapshot } from './state_snapshots.js';

/** One step's device time in a profile. */
export interface StepProfile extends StepInfo {
  readonly ms: number;
}

/** The resources in use, with the readback sources bound to them. */
interface Live {
  readonly res: DeviceResources;
  readonly source: ReadbackSource;
  /** State reads are copies, not runs: their timings must not teach the plan's estimate. */
  readonly copySource: ReadbackSource;
}

interface Submitted {
  readonly handle: RunHandle;
  /** The whole states region after the run, when asked for. */
  readonly states: RunHandle | undefined;
  readonly run: number;
  readonly snapshotDue: boolean;
  /** The snapshot this run takes, on its way to the host (never rejects). */
  readonly snapshot: Promise<StateSnapshot | undefined> | undefined;
}

export class Executable {
  readonly plan: Plan;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly states: readonly TensorSpec[];
  readonly #what: string;
  readonly #options: ExecutableOptions;
  readonly #guard: NumericGuardOptions | undefined;
  readonly #sizes: Readonly<Record<PlanRegion, number>>;
  /** Each state's place in a copy of the whole states region. */
  readonly #stateEntries: readonly ReadbackEntry[];
  readonly #gpuTime = new GpuTimeEstimate();
  readonly #snapshots = new SnapshotStore();
  #live: Live;
  #disposed = false;
  #runs = 0;
  /** Snapshots are opted into by `snapshotEvery` or a first `snapshot()`. */
  #snapshotting: boolean;
  #snapshotQueued = false;
  #recovering: Promise<void> | undefined;
  #recoveries = 0;
  /** Guarded runs go one at a time: each is checked before the next starts. */
  #guardChain: Promise<void> = Promise.resolve();

  private constructor(plan: Plan, res: DeviceResources, sizes: Record<PlanRegion, number>, options: ExecutableOptions) {
    this.plan = plan;
    this.#what = `plan '${plan.name}'`;
    this.#options = options;
    this.#guard = options.numericGuard === true ? {} : options.numericGuard || undefined;
    this.#sizes = sizes;
    this.#snapshotting = options.snapshotEvery !== undefined;
    const spec = (name: string, id: number): TensorSpec => ({ name, dtype: plan.tensors[id].dtype, shape: plan.tensors[id].shape });
    this.inputs = plan.inputs.map((io) => spec(io.name, io.tensor));
    this.outputs = plan.outputs.map((io) => spec(io.name, io.tensor));
    this.states = plan.states.map((s) => spec(plan.tensors[s.tensor].name, s.tensor));
    this.#stateEntries = plan.states.map((s) => ({ name: plan.tensors[s.tensor].name, tensor: plan.tensors[s.tensor], offset: plan.tensors[s.tensor].offset }));
    this.#live = this.#bind(res);
  }

  /** Checks the plan against the device, then creates everything its runs will use. */
  static async load(plan: Plan, device?: DawnDevice, options: ExecutableOptions = {}): Promise<Executable> {
    const dev = device ?? (await getDefaultDevice());
    dev.assertUsable(`plan '${plan.name}'`);
    const every = options.snapshotEvery;
    if (every !== undefined && !(Number.isInteger(every) && every >= 1)) throw new UsageError(`plan '${plan.name}': snapshotEvery must be a whole number >= 1, got ${every}`);
    const sizes = checkPlan(plan, dev);
    const backup = typeof options.numericGuard === 'object' && options.numericGuard.skipUpdate === true;
    const res = await createResources(plan, dev, { sizes, backup });
    return new Executable(plan, res, sizes, options);
  }

  /** The device the executable runs on now (a new one after a recovery). */
  get device(): DawnDevice {
    return this.#live.res.device;
  }

  /** Bytes of GPU memory this executable holds (regions, scratch, readback buffers). */
  get allocatedBytes(): number {
    return this.#live.res.ledger.bytes;
  }

  /** The learned estimate of one run's GPU time, in ms (undefined before the second readback). */
  get gpuTimeEstimateMs(): number | undefined {
    return this.#gpuTime.ms;
  }

  /** Runs submitted so far (reset to the snapshot's count by a recovery). */
  get runCount(): number {
    return this.#runs;
  }

  /** How many device losses this executable has recovered from. */
  get recoveries(): number {
    return this.#recoveries;
  }

  /** The newest host copy of the states, if any. */
  get lastSnapshot(): StateSnapshot | undefined {
    return this.#snapshots.latest;
  }

  /**
   * Uploads the inputs and submits one run; nothing is awaited. The handle reads the requested
   * outputs later. Throws InputError (synchronously) before anything is written.
   */
  dispatch(inputs: Readonly<Record<string, RunInput>>, options: RunOptions = {}): RunHandle {
    return this.#submit(inputs, options, false).handle;
  }

  /**
   * Runs once and reads back the requested outputs (default: all). On device loss it
   * recovers (see ExecutableOptions) and retries once; with the numeric guard it checks the
   * run's values first.
   */
  async run(inputs: Readonly<Record<string, RunInput>>, options: RunOptions = {}): Promise<Record<string, HostTensor>> {
    if (this.#guard) return this.#guardedRun(inputs, options, this.#guard);
    return this.#withRecovery(async () => {
      const submitted = this.#submit(inputs, options, false);
      // A run that takes a snapshot returns once the snapshot is home: a loss right after it
      // then loses nothing.
      const [outputs] = await Promise.all([submitted.handle.read(), submitted.snapshot]);
      return outputs;
    });
  }

  /** A state's value after every run submitted so far. */
  async readState(name: string): Promise<HostTensor> {
    return this.#withRecovery(() => {
      this.#assertLive();
      const tensor = this.#state(name);
      const { res, copySource } = this.#live;
      const gpu = res.device.device;
      const staging = tensor.bytes > 0 ? res.pool.take(roundUp4(tensor.bytes)) : undefined;
      if (staging) {
        const encoder = gpu.createCommandEncoder();
        encoder.copyBufferToBuffer(res.regions.states, tensor.offset, staging, 0, roundUp4(tensor.bytes));
        gpu.queue.submit([encoder.finish()]);
      }
      const ticket = res.device.clock.submit(0, res.device.errorCount);
      return new RunHandle(copySource, ticket, staging, [{ name, tensor, offset: 0 }]).read(name);
    });
  }

  /** Overwrites a state; runs submitted before see the old value, runs after the new one. */
  writeState(name: string, value: RunInput): void {
    this.#assertLive();
    const tensor = this.#state(name);
    const data = encodeHostData(`${this.#what}, state '${name}'`, value, tensor);
    if (tensor.bytes > 0) this.device.device.queue.writeBuffer(this.#live.res.regions.states, tensor.offset, data);
    const source = ArrayBuffer.isView(value) ? value : value.data;
    this.#snapshots.recordWrite(name, { dtype: tensor.dtype, shape: [...tensor.shape], data: source.slice() });
    // A loss must not bring back the value from before the write: snapshot once the caller's
    // writes of this turn are all queued.
    if (this.#snapshotting && !this.#snapshotQueued) {
      this.#snapshotQueued = true;
      queueMicrotask(() => {
        this.#snapshotQueued = false;
        if (!this.#disposed && !this.device.lostInfo) void this.#snapshots.track(this.#runs, this.#copyStates());
      });
    }
  }

  /**
   * Copies every state to the host now (after the runs submitted so far) and keeps the copy as
   * the snapshot a device loss restores. From then on, writeState snapshots too.
   */
  async snapshot(): Promise<StateSnapshot> {
    return this.#withRecovery(async () => {
      this.#assertLive();
      this.#snapshotting = true;
      const snapshot = await this.#snapshots.track(this.#runs, this.#copyStates());
      if (!snapshot) {
        this.device.assertUsable(this.#what);
        throw new DeviceError(`${this.#what}: copying the states to the host failed`);
      }
      return snapshot;
    });
  }

  /**
   * Moves to a new device after a loss: pipelines compiled again, constants uploaded again,
   * the states of the newest snapshot (or the plan's initial values) restored. A no-op while
   * the device is usable. Concurrent callers share one recovery.
   */
  recover(): Promise<void> {
    this.#recovering ??= this.#recover().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  /** Destroys every buffer; runs still in flight then fail to read back. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    releaseResources(this.#live.res);
  }

  #bind(res: DeviceResources): Live {
    const isDisposed = (): boolean => this.#disposed || this.#live.res !== res;
    const base = { device: res.device, pool: res.pool, what: this.#what, isDisposed };
    return {
      res,
      source: { ...base, observed: (ms, pollMs) => this.#gpuTime.learn(ms, pollMs) },
      copySource: { ...base, observed: () => undefined },
    };
  }

  /**
   * Submits one run: inputs, the compute pass, the output copies, and (when asked or when a
   * snapshot is due) a copy of the states region; all inside error scopes.
   */
  #submit(inputs: Readonly<Record<string, RunInput>>, options: RunOptions, guarded: boolean): Submitted {
    this.#assertLive();
    const outputs = selectOutputs(this.plan, options.outputs);
    const uploads = checkInputs(this.plan, inputs);
    const { res, source, copySource } = this.#live;
    const gpu = res.device.device;
    const run = ++this.#runs;
    const every = this.#options.snapshotEvery;
    const hasStates = this.#sizes.states > 0 && this.plan.states.length > 0;
    const snapshotDue = hasStates && this.#snapshotting && every !== undefined && run % every === 0;
    const readStates = hasStates && (snapshotDue || (guarded && this.#guard?.states !== false));

    const entries: ReadbackEntry[] = [];
    let stagingBytes = 0;
    for (const io of outputs) {
      const tensor = this.plan.tensors[io.tensor];
      entries.push({ name: io.name, tensor, offset: stagingBytes });
      stagingBytes += roundUp4(tensor.bytes);
    }
    let staging: GPUBuffer | undefined;
    let statesStaging: GPUBuffer | undefined;
    let captured!: Promise<GpuErrorRecord | undefined>;
    let upload: UploadLease | undefined;
    gpu.pushErrorScope('out-of-memory');
    gpu.pushErrorScope('validation');
    try {
      const encoder = gpu.createCommandEncoder();
      upload = stageInputs(res, uploads, encoder);
      if (guarded && res.backup) encoder.copyBufferToBuffer(res.regions.states, 0, res.backup, 0, this.#sizes.states);
      res.program.encode(encoder);
      staging = stagingBytes > 0 ? res.pool.take(stagingBytes) : undefined;
      if (staging) {
        for (const e of entries) {
          if (e.tensor.bytes > 0) encoder.copyBufferToBuffer(res.regions[e.tensor.region], e.tensor.offset, staging, e.offset, roundUp4(e.tensor.bytes));
        }
      }
      if (readStates) {
        statesStaging = res.pool.take(this.#sizes.states);
        encoder.copyBufferToBuffer(res.regions.states, 0, statesStaging, 0, this.#sizes.states);
      }
      gpu.queue.submit([encoder.finish()]);
    } finally {
      captured = popCapturedErrors(res.device);
    }
    const ticket = res.device.clock.submit(this.#gpuTime.ms ?? 0, res.device.errorCount);
    const handle = new RunHandle(source, ticket, staging, entries, captured, upload);
    const states = statesStaging ? new RunHandle(copySource, ticket, statesStaging, this.#stateEntries, captured) : undefined;
    const snapshot = states && snapshotDue && !guarded ? this.#snapshots.track(run, states.read()) : undefined;
    return { handle, states, run, snapshotDue, snapshot };
  }

  /**
   * Device time of each step, the median of `runs` runs, from timestamp queries (the adapter
   * feature 'timestamp-query'). Each step runs in its own pass, so the sum exceeds a plain run by
   * the passes' overhead. Profiled runs are real runs: a training plan's states advance.
   */
  async profile(inputs: Readonly<Record<string, RunInput>>, runs = 5): Promise<StepProfile[]> {
    this.#assertLive();
    const { res } = this.#live;
    const device = res.device;
    if (!device.features.has('timestamp-query')) {
      throw new UsageError(`${this.#what}: profiling needs the feature 'timestamp-query', which the adapter (${device.adapterDescription}) lacks`);
    }
    const uploads = checkInputs(this.plan, inputs);
    const gpu = device.device;
    const steps = res.program.timedSteps;
    // Submitted back to back, one timer each: waiting between runs lets a real GPU drop its clocks.
    const timers = Array.from({ length: runs }, () => new StepTimer(gpu, steps.length));
    const samples: number[][] = steps.map(() => []);
    try {
      gpu.pushErrorScope('validation');
      for (const timer of timers) {
        for (const { tensor, data } of uploads) gpu.queue.writeBuffer(res.regions[tensor.region], tensor.offset, data);
        const encoder = gpu.createCommandEncoder();
        res.program.encodeTimed(encoder, timer);
        gpu.queue.submit([encoder.finish()]);
      }
      const error = await gpu.popErrorScope();
      if (error) throw new DeviceError(`${this.#what}: profiling: ${error.message.split('\n')[0]}`);
      // Sleep through most of the predicted work first: a pending map busy-polls a host core (see gpu_wait.ts).
      const predicted = this.#gpuTime.ms;
      if (predicted !== undefined) await sleep(SLEEP_FRACTION * predicted * runs);
      for (const timer of timers) (await timer.read()).forEach((ms, i) => samples[i].push(ms));
    } finally {
      for (const timer of timers) timer.destroy();
    }
    return steps.map((s, i) => ({ ...s, ms: samples[i].sort((a, b) => a - b)[Math.floor(samples[i].length / 2)] }));
  }

  /** Submits a copy of the whole states region and reads it back. */
  #copyStates(): Promise<Record<string, HostTensor>> {
    const { res, copySource } = this.#live;
    const gpu = res.device.device;
    const size = this.#sizes.states;
    const staging = this.plan.states.length > 0 ? res.pool.take(size) : undefined;
    if (staging) {
      const encoder = gpu.createCommandEncoder();
      encoder.copyBufferToBuffer(res.regions.states, 0, staging, 0, size);
      gpu.queue.submit([encoder.finish()]);
    }
    const ticket = res.device.clock.submit(0, res.device.errorCount);
    return new RunHandle(copySource, ticket, staging, staging ? this.#stateEntries : []).read();
  }

  async #guardedRun(inputs: Readonly<Record<string, RunInput>>, options: RunOptions, guard: NumericGuardOptions): Promise<Record<string, HostTensor>> {
    const previous = this.#guardChain;
    let release!: () => void;
    this.#guardChain = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await this.#withRecovery(() => this.#guardedAttempt(inputs, options, guard));
    } finally {
      release();
    }
  }

  async #guardedAttempt(inputs: Readonly<Record<string, RunInput>>, options: RunOptions, guard: NumericGuardOptions): Promise<Record<string, HostTensor>> {
    const submitted = this.#submit(inputs, options, true);
    const [outputs, states] = await Promise.all([submitted.handle.read(), submitted.states?.read()]);
    const found = findNonFinite(outputs, guard.states !== false ? states : undefined);
    if (!found) {
      if (states && submitted.snapshotDue) this.#snapshots.set(submitted.run, states);
      return outputs;
    }
    const { res } = this.#live;
    const skipped = guard.skipUpdate === true && res.backup !== undefined;
    if (skipped) {
      const encoder = res.device.device.createCommandEncoder();
      encoder.copyBufferToBuffer(res.backup!, 0, res.regions.states, 0, this.#sizes.states);
      res.device.device.queue.submit([encoder.finish()]);
    }
    const error = new NonFiniteError(this.#what, { step: submitted.run, ...found, skipped });
    if (!guard.onNonFinite) throw error;
    guard.onNonFinite(error);
    return outputs;
  }

  /** Runs `attempt`; when the device it ran on turns out lost, recovers and runs it once more. */
  async #withRecovery<T>(attempt: () => Promise<T>): Promise<T> {
    const recovering = this.#options.onDeviceLost !== 'throw';
    if (recovering && !this.#disposed && this.device.lostInfo) await this.recover();
    const dev = this.device;
    try {
      return await attempt();
    } catch (error) {
      if (!recovering || this.#disposed || !(error instanceof DeviceError) || !(await dev.settleLoss())) throw error;
      await this.recover();
      return attempt();
    }
  }

  async #recover(): Promise<void> {
    if (this.#disposed) throw new UsageError(`${this.#what}: the executable was disposed`);
    const old = this.#live.res;
    const lost = old.device.lostInfo;
    if (!lost) return;
    // A copy on its way back may have made it before the loss: wait for the verdict.
    await this.#snapshots.settle();
    const snapshot = this.#snapshots.restorable();
    const device = await old.device.replacement();
    const backup = old.backup !== undefined;
    const res = await createResources(this.plan, device, { sizes: this.#sizes, stateValues: snapshot.states, backup });
    releaseResources(old);
    if (this.#disposed) {
      releaseResources(res);
      throw new UsageError(`${this.#what}: the executable was disposed while recovering from a device loss`);
    }
    this.#live = this.#bind(res);
    const restoredRun = snapshot.run;
    const lostRuns = this.#runs - restoredRun;
    this.#runs = restoredRun;
    this.#recoveries++;
    this.#options.onRecovered?.({ reason: `${lost.reason || 'unknown'}: ${lost.message.split('\n')[0]}`, device, restoredRun, lostRuns });
  }

  #assertLive(): void {
    if (this.#disposed) throw new UsageError(`${this.#what}: the executable was disposed`);
    this.device.assertUsable(this.#what);
  }

  #state(name: string): PlanTensor {
    const state = this.plan.states.find((s) => this.plan.tensors[s.tensor].name === name);
    if (!state) throw new UsageError(`${this.#what}: no state '${name}' (states: ${this.states.map((s) => s.name).join(', ') || 'none'})`);
    return this.plan.tensors[state.tensor];
  }
}

/** Inputs this large go through a mapped staging buffer of the upload pool rather than `writeBuffer`. */
const STAGED_UPLOAD_BYTES = 256 * 1024;

/**
 * Puts a run's inputs on the GPU: small ones with `writeBuffer`, large ones copied into a mapped
 * buffer of the upload pool and from there to their tensors, first thing in `encoder`.
 */
function stageInputs(res: DeviceResources, uploads: readonly { tensor: PlanTensor; data: ArrayBufferView<ArrayBuffer> }[], encoder: GPUCommandEncoder): UploadLease | undefined {
  const queue = res.device.device.queue;
  const total = uploads.reduce((sum, u) => sum + roundUp4(u.data.byteLength), 0);
  if (total < STAGED_UPLOAD_BYTES) {
    for (const { tensor, data } of uploads) queue.writeBuffer(res.regions[tensor.region], tensor.offset, data);
    return undefined;
  }
  const buffer = res.uploads.take(total);
  const mapped = new Uint8Array(buffer.getMappedRange());
  let offset = 0;
  for (const { data } of uploads) {
    mapped.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    offset += roundUp4(data.byteLength);
  }
  buffer.unmap();
  offset = 0;
  for (const { tensor, data } of uploads) {
    if (data.byteLength > 0) encoder.copyBufferToBuffer(buffer, offset, res.regions[tensor.region], tensor.offset, roundUp4(data.byteLength));
    offset += roundUp4(data.byteLength);
  }
  return { pool: res.uploads, buffer };
}
