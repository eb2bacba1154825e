import type { DType } from '../ir/dtype.js';
import { ArtifactError, DeviceError, InputError, OutOfMemoryError, UsageError } from '../ir/errors.js';
import type { Plan, PlanIO, PlanRegion, PlanTensor } from '../ir/plan.js';
import type { StaticShape } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';
import { BufferLedger } from './buffer_ledger.js';
import { type DawnDevice, getDefaultDevice } from './device.js';
import { GpuTimeEstimate } from './gpu_wait.js';
import { encodeHostData, roundUp4, type RunInput } from './host_data.js';
import { checkPlan, REGIONS } from './plan_check.js';
import { compileKernels } from './pipelines.js';
import { Program, type RegionBuffers } from './program.js';
import { type ReadbackEntry, type ReadbackSource, RunHandle } from './run_handle.js';
import { StagingPool } from './staging_pool.js';

/**
 * A Plan made ready to run on one device. Everything a run needs (region buffers, pipelines,
 * bind groups) is created once by `load`; a run only uploads its inputs, records one compute
 * pass and the copies after it, and submits once. Runs are serialized by the device queue, so
 * any number may be in flight: each reads back through its own staging buffer.
 */

export interface RunOptions {
  /** The outputs to read back (default: all of them). */
  readonly outputs?: readonly string[];
}

/** A named tensor of the plan's signature. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: StaticShape;
}

export class Executable {
  readonly plan: Plan;
  readonly device: DawnDevice;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly states: readonly TensorSpec[];
  readonly #what: string;
  readonly #ledger: BufferLedger;
  readonly #regions: RegionBuffers;
  readonly #program: Program;
  readonly #pool: StagingPool;
  readonly #source: ReadbackSource;
  /** State reads are copies, not runs: their timings must not teach the plan's estimate. */
  readonly #copySource: ReadbackSource;
  readonly #gpuTime = new GpuTimeEstimate();
  #disposed = false;

  private constructor(plan: Plan, device: DawnDevice, ledger: BufferLedger, regions: RegionBuffers, program: Program) {
    this.plan = plan;
    this.device = device;
    this.#what = `plan '${plan.name}'`;
    this.#ledger = ledger;
    this.#regions = regions;
    this.#program = program;
    this.#pool = new StagingPool(ledger, plan.name);
    const spec = (name: string, id: number): TensorSpec => ({ name, dtype: plan.tensors[id].dtype, shape: plan.tensors[id].shape });
    this.inputs = plan.inputs.map((io) => spec(io.name, io.tensor));
    this.outputs = plan.outputs.map((io) => spec(io.name, io.tensor));
    this.states = plan.states.map((s) => spec(plan.tensors[s.tensor].name, s.tensor));
    const isDisposed = (): boolean => this.#disposed;
    const base = { device, pool: this.#pool, what: this.#what, isDisposed };
    this.#source = { ...base, observed: (ms, pollMs) => this.#gpuTime.learn(ms, pollMs) };
    this.#copySource = { ...base, observed: () => undefined };
  }

  /** Checks the plan against the device, then creates everything its runs will use. */
  static async load(plan: Plan, device?: DawnDevice): Promise<Executable> {
    const dev = device ?? (await getDefaultDevice());
    const where = `plan '${plan.name}'`;
    dev.assertUsable(where);
    const sizes = checkPlan(plan, dev);
    const gpu = dev.device;
    const ledger = new BufferLedger(gpu, dev.ledger);
    try {
      // GPUBufferUsage is a global only once a device exists, hence read here.
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      gpu.pushErrorScope('out-of-memory');
      const regions = {} as Record<PlanRegion, GPUBuffer>;
      for (const r of REGIONS) regions[r] = ledger.create({ size: sizes[r], usage, label: `${plan.name} ${r}` });
      const oom = await gpu.popErrorScope();
      if (oom) throw new OutOfMemoryError(`${where}: allocating ${sizes.arena + sizes.constants + sizes.states} bytes of regions failed: ${oom.message}`);

      uploadInitialValues(plan, regions, gpu.queue);
      const kernels = await compileKernels(gpu, plan.kernels, plan.name);
      // A trial encoding (never submitted) lets Dawn validate every dispatch now rather than
      // at the first run: binding sizes against what shaders declare, aliasing, copies.
      gpu.pushErrorScope('validation');
      const program = new Program(gpu, plan, regions, kernels, ledger, dev.limits.minStorageBufferOffsetAlignment ?? 256);
      const trial = gpu.createCommandEncoder();
      program.encode(trial);
      trial.finish();
      const invalid = await gpu.popErrorScope();
      if (invalid) throw new DeviceError(`${where}: ${invalid.message.split('\n')[0]}`);
      return new Executable(plan, dev, ledger, regions, program);
    } catch (error) {
      ledger.destroyAll();
      throw error;
    }
  }

  /** Bytes of GPU memory this executable holds (regions, scratch, readback buffers). */
  get allocatedBytes(): number {
    return this.#ledger.bytes;
  }

  /** The learned estimate of one run's GPU time, in ms (undefined before the second readback). */
  get gpuTimeEstimateMs(): number | undefined {
    return this.#gpuTime.ms;
  }

  /**
   * Uploads the inputs and submits one run; nothing is awaited. The handle reads the requested
   * outputs later. Throws InputError (synchronously) before anything is written.
   */
  dispatch(inputs: Readonly<Record<string, RunInput>>, options: RunOptions = {}): RunHandle {
    this.#assertLive();
    const outputs = this.#selectOutputs(options.outputs);
    const uploads = this.#checkInputs(inputs);
    const gpu = this.device.device;
    for (const { tensor, data } of uploads) gpu.queue.writeBuffer(this.#regions[tensor.region], tensor.offset, data);

    const encoder = gpu.createCommandEncoder();
    this.#program.encode(encoder);
    const entries: ReadbackEntry[] = [];
    let stagingBytes = 0;
    for (const io of outputs) {
      const tensor = this.plan.tensors[io.tensor];
      entries.push({ name: io.name, tensor, offset: stagingBytes });
      stagingBytes += roundUp4(tensor.bytes);
    }
    const staging = stagingBytes > 0 ? this.#pool.take(stagingBytes) : undefined;
    if (staging) {
      for (const e of entries) {
        if (e.tensor.bytes > 0) encoder.copyBufferToBuffer(this.#regions[e.tensor.region], e.tensor.offset, staging, e.offset, roundUp4(e.tensor.bytes));
      }
    }
    gpu.queue.submit([encoder.finish()]);
    const ticket = this.device.clock.submit(this.#gpuTime.ms ?? 0, this.device.errorCount);
    return new RunHandle(this.#source, ticket, staging, entries);
  }

  /** Runs once and reads back the requested outputs (default: all). */
  async run(inputs: Readonly<Record<string, RunInput>>, options: RunOptions = {}): Promise<Record<string, HostTensor>> {
    return this.dispatch(inputs, options).read();
  }

  /** A state's value after every run submitted so far. */
  async readState(name: string): Promise<HostTensor> {
    this.#assertLive();
    const tensor = this.#state(name);
    const gpu = this.device.device;
    const staging = tensor.bytes > 0 ? this.#pool.take(roundUp4(tensor.bytes)) : undefined;
    if (staging) {
      const encoder = gpu.createCommandEncoder();
      encoder.copyBufferToBuffer(this.#regions.states, tensor.offset, staging, 0, roundUp4(tensor.bytes));
      gpu.queue.submit([encoder.finish()]);
    }
    const ticket = this.device.clock.submit(0, this.device.errorCount);
    return new RunHandle(this.#copySource, ticket, staging, [{ name, tensor, offset: 0 }]).read(name);
  }

  /** Overwrites a state; runs submitted before see the old value, runs after the new one. */
  writeState(name: string, value: RunInput): void {
    this.#assertLive();
    const tensor = this.#state(name);
    const data = encodeHostData(`${this.#what}, state '${name}'`, value, tensor);
    if (tensor.bytes > 0) this.device.device.queue.writeBuffer(this.#regions.states, tensor.offset, data);
  }

  /** Destroys every buffer; runs still in flight then fail to read back. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool.close();
    this.#ledger.destroyAll();
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

  #selectOutputs(names: readonly string[] | undefined): readonly PlanIO[] {
    if (names === undefined) return this.plan.outputs;
    return [...new Set(names)].map((name) => {
      const io = this.plan.outputs.find((o) => o.name === name);
      if (!io) throw new UsageError(`${this.#what}: no output '${name}' (outputs: ${this.plan.outputs.map((o) => o.name).join(', ')})`);
      return io;
    });
  }

  /** Every input checked and converted before any is written, so a bad one writes nothing. */
  #checkInputs(inputs: Readonly<Record<string, RunInput>>): { tensor: PlanTensor; data: ArrayBufferView<ArrayBuffer> }[] {
    if (typeof inputs !== 'object' || inputs === null) throw new InputError(`${this.#what}: inputs must be an object keyed by input name`);
    const expected = this.plan.inputs.map((io) => io.name).join(', ') || 'none';
    for (const name of Object.keys(inputs)) {
      if (!this.plan.inputs.some((io) => io.name === name)) throw new InputError(`${this.#what}: unknown input '${name}' (inputs: ${expected})`);
    }
    return this.plan.inputs.map((io) => {
      const value = inputs[io.name];
      if (value === undefined) throw new InputError(`${this.#what}: missing input '${io.name}' (inputs: ${expected})`);
      const tensor = this.plan.tensors[io.tensor];
      return { tensor, data: encodeHostData(`${this.#what}, input '${io.name}'`, value, tensor) };
    });
  }
}

/** Constants and the states' initial values, written once; a state without data starts at 0. */
function uploadInitialValues(plan: Plan, regions: RegionBuffers, queue: GPUQueue): void {
  for (const [kind, list] of [['constant', plan.constants], ['state', plan.states]] as const) {
    for (const c of list) {
      const tensor = plan.tensors[c.tensor];
      const what = `plan '${plan.name}', ${kind} '${tensor.name}'`;
      if (c.data === undefined) {
        if (kind === 'constant') throw new ArtifactError(`${what} has no data (were the weights loaded?)`);
        continue;
      }
      let data: ArrayBufferView<ArrayBuffer>;
      try {
        data = encodeHostData(what, c.data, tensor);
      } catch (e) {
        throw e instanceof InputError ? new ArtifactError(e.message, { cause: e }) : e;
      }
      if (tensor.bytes > 0) queue.writeBuffer(regions[tensor.region], tensor.offset, data);
    }
  }
}
