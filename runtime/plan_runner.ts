import { DeviceError, InputError, ShapeError, UsageError } from '../ir/errors.js';
import type { Plan, PlanRegion, StaticPlan, StaticPlanTensor } from '../ir/plan.js';
import { bindingKey, bindPlan, describeBinding } from '../ir/plan_binding.js';
import type { HostTensor } from '../ir/tensor.js';
import { type DawnDevice, type GpuErrorRecord, popCapturedErrors } from './device.js';
import { createProgram, createResources, type DeviceResources, growArena, releaseResources } from './device_resources.js';
import { GpuTimeEstimate, sleep, SLEEP_FRACTION } from './gpu_wait.js';
import { deviceFeeds, deviceTargets, encodeFeeds, encodeTargets, type RunFeed } from './device_feeds.js';
import type { DeviceTensor } from './device_tensor.js';
import { checkInputs, encodeHostData, roundUp4, type RunInput, selectOutputs } from './host_data.js';
import { stageInputs } from './input_staging.js';
import { bindInputDims } from './input_dims.js';
import { checkBoundPlan, checkPlan } from './plan_check.js';
import type { Program, StepInfo } from './program.js';
import { type ReadbackEntry, type ReadbackSource, RunHandle, type UploadLease } from './run_handle.js';
import { StepTimer } from './step_timer.js';

/**
 * The core of an executable: one Plan on one device, and nothing else. Everything a run needs
 * (region buffers, pipelines, bind groups: DeviceResources) is created once by `load`; a run
 * only uploads its inputs, records one compute pass and the copies after it, and submits once.
 * Runs are serialized by the device queue, so any number may be in flight: each reads back
 * through its own staging buffer. Each submission runs inside validation and out-of-memory
 * error scopes, whose catch the run's read reports as a DeviceError / OutOfMemoryError.
 *
 * It knows none of the policies an Executable wraps around it (numeric guard, snapshots,
 * device-loss recovery): they ask it for a copy of the states with a run, or a copy of them set
 * aside before one, and a recovery replaces it whole by one `rebuildOn` a new device.
 */

/** The plan at one binding of its symbols and the program that runs it (a static plan has one). */
interface Binding {
  readonly plan: StaticPlan;
  readonly program: Program;
}

/** Bindings of a symbolic plan kept ready (least recently used evicted): their bind groups and size uniforms. */
const BINDINGS_KEPT = 16;

/**
 * A symbolic plan whose every dim has a declared maximum gets its arena at load, sized for the
 * largest binding (checked against the device then, not at some later run); it still grows if
 * a smaller binding packs worse. Plans without bounds start with a one-word arena.
 */
function upperBoundArena(plan: Plan, device: DawnDevice): { arena?: number } {
  const dims = plan.symbolic?.dims;
  if (!dims || Object.values(dims).some((f) => f.max === undefined)) return {};
  const maxima = Object.fromEntries(Object.entries(dims).map(([name, f]) => [name, f.max!]));
  const bound = bindPlan(plan, maxima, { maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension ?? 65535 });
  return { arena: checkBoundPlan(bound, device, `the declared maxima ${describeBinding(maxima)}`).arena };
}

/** One step's device time in a profile. */
export interface StepProfile extends StepInfo {
  readonly ms: number;
}

export interface RunnerOptions {
  /**
   * Keep a buffer the size of the states region, so that a run submitted with `backupStates`
   * can be undone (the numeric guard's `skipUpdate`).
   */
  readonly backup?: boolean;
}

export interface SubmitOptions {
  /** The outputs to read back (default: all of them). */
  readonly outputs?: readonly string[];
  /** Also copy the whole states region to the host after the run (a no-op without states). */
  readonly readStates?: boolean;
  /** Copy the states region aside before the run, for `undoLastRun` (with `backup` only). */
  readonly backupStates?: boolean;
  /** Outputs to leave in device tensors, copied on the GPU at the end of the run. */
  readonly into?: Readonly<Record<string, DeviceTensor>>;
}

/** One submitted run. */
export interface Submission {
  readonly handle: RunHandle;
  /** The whole states region after the run, when asked for. */
  readonly states: RunHandle | undefined;
  /** The run's 1-based index on this runner's lineage (see `runCount`). */
  readonly run: number;
}

export class PlanRunner {
  readonly plan: Plan;
  /** Names the plan in messages. */
  readonly what: string;
  readonly #res: DeviceResources;
  readonly #sizes: Readonly<Record<PlanRegion, number>>;
  /** The plan's, not the device's: a rebuilt runner starts from what this one learned. */
  readonly #gpuTime: GpuTimeEstimate;
  /** Each state's place in a copy of the whole states region. */
  readonly #stateEntries: readonly ReadbackEntry[];
  readonly #source: ReadbackSource;
  /** State reads are copies, not runs: their timings must not teach the plan's estimate. */
  readonly #copySource: ReadbackSource;
  /** By binding key; a static plan's one binding under ''. */
  readonly #bindings = new Map<string, Binding>();
  #bindingsMade = 0;
  #runs: number;
  #released = false;

  private constructor(plan: Plan, res: DeviceResources, sizes: Readonly<Record<PlanRegion, number>>, gpuTime: GpuTimeEstimate, runs: number) {
    this.plan = plan;
    this.what = `plan '${plan.name}'`;
    this.#res = res;
    this.#sizes = sizes;
    this.#gpuTime = gpuTime;
    this.#runs = runs;
    this.#stateEntries = plan.states.map((s) => ({ name: plan.tensors[s.tensor].name, tensor: plan.tensors[s.tensor] as StaticPlanTensor, offset: plan.tensors[s.tensor].offset }));
    if (res.program) this.#bindings.set('', { plan: plan as StaticPlan, program: res.program });
    // Handles outlive their runner (a recovery swaps it): reading one after that is an error, not a map of a destroyed buffer.
    const base = { device: res.device, pool: res.pool, what: this.what, isDisposed: () => this.#released };
    this.#source = { ...base, observed: (ms, pollMs) => this.#gpuTime.learn(ms, pollMs) };
    this.#copySource = { ...base, observed: () => undefined };
  }

  /** Checks the plan against the device, then creates everything its runs will use. */
  static async load(plan: Plan, device: DawnDevice, options: RunnerOptions = {}): Promise<PlanRunner> {
    device.assertUsable(`plan '${plan.name}'`);
    const sizes = { ...checkPlan(plan, device), ...upperBoundArena(plan, device) };
    const res = await createResources(plan, device, { sizes, backup: options.backup === true });
    return new PlanRunner(plan, res, sizes, new GpuTimeEstimate(), 0);
  }

  /**
   * The same plan made ready again on `device` (after this one's device was lost): pipelines
   * compiled again, constants uploaded again, the states set to `restore.states` (the plan's
   * initial values where absent) and the run count to `restore.run`. This runner is untouched.
   */
  async rebuildOn(device: DawnDevice, restore: { readonly run: number; readonly states: Readonly<Record<string, HostTensor>> | undefined }): Promise<PlanRunner> {
    const backup = this.#res.backup !== undefined;
    const res = await createResources(this.plan, device, { sizes: this.#sizes, stateValues: restore.states, backup });
    return new PlanRunner(this.plan, res, this.#sizes, this.#gpuTime, restore.run);
  }

  get device(): DawnDevice {
    return this.#res.device;
  }

  /** Bytes of GPU memory this runner holds (regions, scratch, staging buffers). */
  get allocatedBytes(): number {
    return this.#res.ledger.bytes;
  }

  /** The learned estimate of one run's GPU time, in ms (undefined before the second readback). */
  get gpuTimeEstimateMs(): number | undefined {
    return this.#gpuTime.ms;
  }

  /** Runs submitted so far, counting from the run its states were restored to. */
  get runCount(): number {
    return this.#runs;
  }

  /** Whether `release` was called (by dispose, or by a recovery that replaced this runner). */
  get released(): boolean {
    return this.#released;
  }

  /** Throws a UsageError once released, a DeviceError while the device is lost. */
  assertLive(): void {
    if (this.#released) throw new UsageError(`${this.what}: the executable was disposed`);
    this.device.assertUsable(this.what);
  }

  /** Shader modules this runner's pipelines were made from (at load; never per binding). */
  get shaderModules(): number {
    return this.#res.kernels.shaderModules;
  }

  /** Distinct bindings of the symbols this runner has bound so far (a static plan: 1). */
  get bindingsMade(): number {
    return this.#bindingsMade + (this.plan.symbolic ? 0 : 1);
  }

  /** The arena buffer's current size in bytes (a symbolic plan's grows to the largest binding run). */
  get arenaBytes(): number {
    return this.#res.regions.arena.size;
  }

  /**
   * The plan at the binding these inputs give its symbols, with the program that runs it: made
   * the first time a binding is seen (the arena grown if it needs more), then kept. Throws an
   * InputError for inputs whose shapes do not fit the plan, before anything is written.
   */
  #bind(inputs: Readonly<Record<string, RunFeed>>): { plan: StaticPlan; program?: Program; make?: () => Program } {
    if (!this.plan.symbolic) return this.#bindings.get('')!;
    const dims = bindInputDims(this.plan, inputs);
    const key = bindingKey(this.plan, dims);
    const known = this.#bindings.get(key);
    if (known) {
      // Most recently used last.
      this.#bindings.delete(key);
      this.#bindings.set(key, known);
      return known;
    }
    const device = this.#res.device;
    let plan: StaticPlan;
    try {
      plan = bindPlan(this.plan, dims, { maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension ?? 65535 });
    } catch (e) {
      // Sizes the inputs gave that the model cannot take (an image smaller than a window).
      if (e instanceof ShapeError) throw new InputError(`${this.what}: the inputs give ${describeBinding(dims)}: ${e.message}`, { cause: e });
      throw e;
    }
    const sizes = checkBoundPlan(plan, device, describeBinding(dims));
    // Creating GPU objects is left to the caller, inside its error scopes.
    return {
      plan,
      make: () => {
        if (sizes.arena > this.#res.regions.arena.size) {
          growArena(this.#res, this.plan, sizes.arena);
          for (const b of this.#bindings.values()) b.program.release();
          this.#bindings.clear();
        }
        const binding = { plan, program: createProgram(plan, this.#res) };
        this.#bindings.set(key, binding);
        this.#bindingsMade++;
        if (this.#bindings.size > BINDINGS_KEPT) {
          const [oldest] = this.#bindings.keys();
          this.#bindings.get(oldest)!.program.release();
          this.#bindings.delete(oldest);
        }
        return binding.program;
      },
    };
  }

  /** The plan tensor of the state `name`; a UsageError naming the states there are otherwise. */
  state(name: string): StaticPlanTensor {
    const state = this.plan.states.find((s) => this.plan.tensors[s.tensor].name === name);
    if (!state) {
      const names = this.plan.states.map((s) => this.plan.tensors[s.tensor].name);
      throw new UsageError(`${this.what}: no state '${name}' (states: ${names.join(', ') || 'none'})`);
    }
    return this.plan.tensors[state.tensor] as StaticPlanTensor;
  }

  /**
   * Uploads the inputs and submits one run: the compute pass, the output copies, and the
   * states copies asked for; all inside error scopes. Nothing is awaited. Throws (synchronously,
   * before anything is written) an InputError for bad inputs, a UsageError for an unknown output.
   */
  submit(inputs: Readonly<Record<string, RunFeed>>, options: SubmitOptions = {}): Submission {
    this.assertLive();
    const outputs = selectOutputs(this.plan, options.outputs);
    const bound = this.#bind(inputs);
    const res = this.#res;
    const feeds = deviceFeeds(bound.plan, inputs, res.device);
    const targets = deviceTargets(bound.plan, options.into, res.device);
    const uploads = checkInputs(bound.plan, inputs, new Set(feeds.map((f) => f.name)));
    const gpu = res.device.device;
    const run = ++this.#runs;
    const hasStates = this.#sizes.states > 0 && this.plan.states.length > 0;
    const readStates = hasStates && options.readStates === true;

    const entries: ReadbackEntry[] = [];
    let stagingBytes = 0;
    for (const io of outputs) {
      const tensor = bound.plan.tensors[io.tensor];
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
      // A new binding's bind groups and size uniform (and a larger arena) are made in the run's error scopes.
      const program = bound.program ?? bound.make!();
      const encoder = gpu.createCommandEncoder();
      upload = stageInputs({ queue: res.device.device.queue, regions: res.regions, uploads: res.uploads }, uploads, encoder);
      encodeFeeds(encoder, res.regions, feeds);
      if (options.backupStates === true && res.backup) encoder.copyBufferToBuffer(res.regions.states, 0, res.backup, 0, this.#sizes.states);
      program.encode(encoder);
      encodeTargets(encoder, res.regions, targets, this.what);
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
    const handle = new RunHandle(this.#source, ticket, staging, entries, captured, upload);
    const states = statesStaging ? new RunHandle(this.#copySource, ticket, statesStaging, this.#stateEntries, captured) : undefined;
    return { handle, states, run };
  }

  /**
   * Puts back the states as they were before the last run submitted with `backupStates` (on the
   * GPU, queued after it). Returns false, doing nothing, when this runner keeps no backup.
   */
  undoLastRun(): boolean {
    const res = this.#res;
    if (!res.backup) return false;
    const encoder = res.device.device.createCommandEncoder();
    encoder.copyBufferToBuffer(res.backup, 0, res.regions.states, 0, this.#sizes.states);
    res.device.device.queue.submit([encoder.finish()]);
    return true;
  }

  /** A state's value after every run submitted so far. */
  async readState(name: string): Promise<HostTensor> {
    this.assertLive();
    const tensor = this.state(name);
    const res = this.#res;
    const gpu = res.device.device;
    const staging = tensor.bytes > 0 ? res.pool.take(roundUp4(tensor.bytes)) : undefined;
    if (staging) {
      const encoder = gpu.createCommandEncoder();
      encoder.copyBufferToBuffer(res.regions.states, tensor.offset, staging, 0, roundUp4(tensor.bytes));
      gpu.queue.submit([encoder.finish()]);
    }
    const ticket = res.device.clock.submit(0, res.device.errorCount);
    return new RunHandle(this.#copySource, ticket, staging, [{ name, tensor, offset: 0 }]).read(name);
  }

  /** Overwrites a state; runs submitted before see the old value, runs after the new one. */
  writeState(name: string, value: RunInput): void {
    this.assertLive();
    const tensor = this.state(name);
    const data = encodeHostData(`${this.what}, state '${name}'`, value, tensor);
    if (tensor.bytes > 0) this.device.device.queue.writeBuffer(this.#res.regions.states, tensor.offset, data);
  }

  /**
   * Submits a copy of the whole states region (after the runs submitted so far) and reads it
   * back. Throws synchronously when not live; the promise rejects when the copy fails.
   */
  copyStates(): Promise<Record<string, HostTensor>> {
    this.assertLive();
    const res = this.#res;
    const gpu = res.device.device;
    const size = this.#sizes.states;
    const staging = this.plan.states.length > 0 ? res.pool.take(size) : undefined;
    if (staging) {
      const encoder = gpu.createCommandEncoder();
      encoder.copyBufferToBuffer(res.regions.states, 0, staging, 0, size);
      gpu.queue.submit([encoder.finish()]);
    }
    const ticket = res.device.clock.submit(0, res.device.errorCount);
    return new RunHandle(this.#copySource, ticket, staging, staging ? this.#stateEntries : []).read();
  }

  /**
   * Device time of each step, the median of `runs` runs, from timestamp queries (the adapter
   * feature 'timestamp-query'). Each step runs in its own pass, so the sum exceeds a plain run by
   * the passes' overhead. Profiled runs are real runs: a training plan's states advance.
   */
  async profile(inputs: Readonly<Record<string, RunInput>>, runs = 5): Promise<StepProfile[]> {
    this.assertLive();
    const res = this.#res;
    const device = res.device;
    if (!device.features.has('timestamp-query')) {
      throw new UsageError(`${this.what}: profiling needs the feature 'timestamp-query', which the adapter (${device.adapterDescription}) lacks`);
    }
    const bound = this.#bind(inputs);
    const uploads = checkInputs(bound.plan, inputs);
    const program = bound.program ?? bound.make!();
    const gpu = device.device;
    const steps = program.timedSteps;
    // Submitted back to back, one timer each: waiting between runs lets a real GPU drop its clocks.
    const timers = Array.from({ length: runs }, () => new StepTimer(gpu, steps.length));
    const samples: number[][] = steps.map(() => []);
    try {
      gpu.pushErrorScope('validation');
      for (const timer of timers) {
        for (const { tensor, data } of uploads) gpu.queue.writeBuffer(res.regions[tensor.region], tensor.offset, data);
        const encoder = gpu.createCommandEncoder();
        program.encodeTimed(encoder, timer);
        gpu.queue.submit([encoder.finish()]);
      }
      const error = await gpu.popErrorScope();
      if (error) throw new DeviceError(`${this.what}: profiling: ${error.message.split('\n')[0]}`);
      // Sleep through most of the predicted work first: a pending map busy-polls a host core (see gpu_wait.ts).
      const predicted = this.#gpuTime.ms;
      if (predicted !== undefined) await sleep(SLEEP_FRACTION * predicted * runs);
      for (const timer of timers) (await timer.read()).forEach((ms, i) => samples[i].push(ms));
    } finally {
      for (const timer of timers) timer.destroy();
    }
    return steps.map((s, i) => ({ ...s, ms: samples[i].sort((a, b) => a - b)[Math.floor(samples[i].length / 2)] }));
  }

  /** Destroys every buffer; runs still in flight then fail to read back. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    releaseResources(this.#res);
  }
}
