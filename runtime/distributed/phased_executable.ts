import { UsageError } from '../../ir/errors.js';
import type { PhasedPlan, PlanPhase } from '../../ir/phased_plan.js';
import type { PlanRegion, StaticPlan, StaticPlanTensor } from '../../ir/plan.js';
import { asStaticPlan } from '../../ir/plan_binding.js';
import type { HostTensor } from '../../ir/tensor.js';
import { BufferLedger } from '../buffer_ledger.js';
import type { DawnDevice } from '../device.js';
import { popCapturedErrors } from '../device.js';
import { allocatePlan } from '../device_resources.js';
import { GpuTimeEstimate } from '../gpu_wait.js';
import { encodeHostData, roundUp4, type RunInput } from '../host_data.js';
import { checkPlan } from '../plan_check.js';
import type { CompiledKernels } from '../pipelines.js';
import { Program, type RegionBuffers } from '../program.js';
import { type ReadbackEntry, type ReadbackSource, RunHandle, type UploadLease } from '../run_handle.js';
import { StagingPool } from '../staging_pool.js';
import { UploadPool } from '../upload_pool.js';
import { stageInputs } from '../input_staging.js';
import { SegmentClock, type SegmentTimes } from './segment_clock.js';

/**
 * A PhasedPlan (ir/phased_plan.ts) on one device: one set of region buffers, every kernel
 * compiled once, and each phase runnable on its own. A phase may be cut into segments: each is
 * submitted separately, followed by copies of the outputs it finished, so the host can read
 * those (a bucket of gradients) while the device runs the next segment.
 *
 * No device-loss recovery here: the parallel rank loops rebuild the executable on a new device
 * and restore every rank from a snapshot together (a single rank cannot resume alone).
 */

/** Copy these outputs after the step `afterStep` (an index into the carrier plan's steps). */
export interface PhaseCut {
  readonly afterStep: number;
  readonly outputs: readonly string[];
}

export interface PhaseSubmitOptions {
  /** Outputs read at the end of the phase (default: none). */
  readonly outputs?: readonly string[];
  /** Outputs read earlier, each after its step; in step order. */
  readonly cuts?: readonly PhaseCut[];
  /** Time the segments with timestamp queries (where the adapter has them); read with `deviceTimes()`. */
  readonly timed?: boolean;
}

export interface PhaseRun {
  /** One handle per cut, in order. */
  readonly cuts: readonly RunHandle[];
  /** The outputs asked for at the end (resolves once the phase is done even when none were). */
  readonly final: RunHandle;
  /**
   * When each segment (cuts, then the rest) ran on the device, from timestamp queries; undefined
   * when not timed or without them. Reads the final outputs first (call it once they are wanted:
   * a pending read keeps dawn.node polling a host core).
   */
  deviceTimes(): Promise<SegmentTimes | undefined>;
}

export class PhasedExecutable {
  readonly phased: PhasedPlan;
  readonly device: DawnDevice;
  readonly #ledger: BufferLedger;
  readonly #regions: RegionBuffers;
  readonly #kernels: CompiledKernels;
  readonly #pool: StagingPool;
  readonly #uploads: UploadPool;
  readonly #programs = new Map<string, Program>();
  readonly #estimates = new Map<string, GpuTimeEstimate>();
  readonly #segmentClock: SegmentClock | undefined;
  readonly #states: readonly ReadbackEntry[];
  readonly #statesBytes: number;
  #disposed = false;
  /** Reads still on their way (timings): close() lets them land before the buffers go. */
  readonly #inflight = new Set<Promise<unknown>>();

  private constructor(phased: PhasedPlan, device: DawnDevice, ledger: BufferLedger, regions: RegionBuffers, kernels: CompiledKernels, sizes: Record<PlanRegion, number>) {
    this.phased = phased;
    this.device = device;
    this.#ledger = ledger;
    this.#regions = regions;
    this.#kernels = kernels;
    this.#pool = new StagingPool(ledger, phased.name);
    this.#uploads = new UploadPool(ledger, phased.name);
    const plan = phased.plan;
    this.#states = plan.states.map((s) => ({ name: plan.tensors[s.tensor].name, tensor: plan.tensors[s.tensor], offset: plan.tensors[s.tensor].offset }));
    this.#statesBytes = sizes.states;
    this.#segmentClock = device.features.has('timestamp-query') ? new SegmentClock(device.device, ledger) : undefined;
  }

  /**
   * Checks the carrier plan against the device, then allocates the regions, uploads constants
   * and states and compiles every kernel the way a single-device Executable does
   * (`allocatePlan`): a failure is an OutOfMemoryError or DeviceError naming the phased plan,
   * with nothing left allocated.
   */
  static async load(phased: PhasedPlan, device: DawnDevice): Promise<PhasedExecutable> {
    device.assertUsable(`phased plan '${phased.name}'`);
    // Typed static, but a phased plan may come from anywhere: a symbolic size is an ArtifactError here.
    const plan = asStaticPlan(phased.plan);
    const sizes = checkPlan(plan, device);
    const ledger = new BufferLedger(device.device, device.ledger);
    try {
      const { regions, kernels } = await allocatePlan(plan, device.device, ledger, { sizes, where: `phased plan '${phased.name}'` });
      return new PhasedExecutable(phased, device, ledger, regions, kernels, sizes);
    } catch (error) {
      ledger.destroyAll();
      throw error;
    }
  }

  /** Bytes of GPU memory held. */
  get allocatedBytes(): number {
    return this.#ledger.bytes;
  }

  phase(name: string): PlanPhase {
    const phase = this.phased.phases.find((p) => p.name === name);
    if (!phase) throw new UsageError(`phased plan '${this.phased.name}': no phase '${name}' (phases: ${this.phased.phases.map((p) => p.name).join(', ')})`);
    return phase;
  }

  /** The phase input or output named `name` as its plan tensor. */
  tensorOf(phase: PlanPhase, name: string, list: 'inputs' | 'outputs'): StaticPlanTensor {
    const io = phase[list].find((e) => e.name === name);
    if (!io) throw new UsageError(`phased plan '${this.phased.name}', phase '${phase.name}': no ${list === 'inputs' ? 'input' : 'output'} '${name}' (${phase[list].map((e) => e.name).join(', ')})`);
    return this.phased.plan.tensors[io.tensor];
  }

  /**
   * Uploads the inputs and submits the phase, segment by segment; nothing is awaited. Every
   * input of the phase must be given (InputError otherwise, before anything is written).
   */
  submit(phaseName: string, inputs: Readonly<Record<string, RunInput>>, options: PhaseSubmitOptions = {}): PhaseRun {
    this.#assertLive();
    const phase = this.phase(phaseName);
    const uploads = phase.inputs.map((io) => {
      const tensor = this.phased.plan.tensors[io.tensor];
      const value = inputs[io.name];
      if (value === undefined) throw new UsageError(`phased plan '${this.phased.name}', phase '${phase.name}': input '${io.name}' is missing`);
      return { tensor, data: encodeHostData(`phase '${phase.name}', input '${io.name}'`, value, tensor) };
    });
    const cuts = options.cuts ?? [];
    const bounds = [...cuts.map((c) => c.afterStep + 1), phase.endStep];
    let previous = phase.firstStep;
    for (const b of bounds) {
      if (b < previous || b > phase.endStep) throw new UsageError(`phase '${phase.name}': cuts must be in step order within [${phase.firstStep}, ${phase.endStep})`);
      previous = b;
    }
    const gpu = this.device.device;
    const timing = options.timed ? this.#segmentClock?.begin(bounds.length) : undefined;
    const handles: RunHandle[] = [];
    let start = phase.firstStep;
    bounds.forEach((end, k) => {
      const last = k === bounds.length - 1;
      const names = last ? (options.outputs ?? []) : cuts[k].outputs;
      const entries = this.#entries(phase, names);
      const key = `${phase.name}:${start}-${end}`;
      gpu.pushErrorScope('out-of-memory');
      gpu.pushErrorScope('validation');
      let staging: GPUBuffer | undefined;
      let upload: UploadLease | undefined;
      let captured!: ReturnType<typeof popCapturedErrors>;
      try {
        const encoder = gpu.createCommandEncoder();
        if (k === 0) upload = stageInputs({ queue: this.device.device.queue, regions: this.#regions, uploads: this.#uploads }, uploads, encoder);
        timing?.mark(encoder, 2 * k);
        this.#program(phase, start, end, last).encode(encoder);
        timing?.mark(encoder, 2 * k + 1);
        const bytes = entries.reduce((sum, e) => Math.max(sum, e.offset + roundUp4(e.tensor.bytes)), 0);
        if (bytes > 0) {
          staging = this.#pool.take(bytes);
          for (const e of entries) if (e.tensor.bytes > 0) encoder.copyBufferToBuffer(this.#regions[e.tensor.region], e.tensor.offset, staging, e.offset, roundUp4(e.tensor.bytes));
        }
        if (last) timing?.resolve(encoder);
        gpu.queue.submit([encoder.finish()]);
      } finally {
        captured = popCapturedErrors(this.device);
      }
      const estimate = this.#estimate(key);
      const ticket = this.device.clock.submit(estimate.ms ?? 0, this.device.errorCount);
      handles.push(new RunHandle(this.#source(estimate), ticket, staging, entries, captured, upload));
      start = end;
    });
    const final = handles[handles.length - 1];
    let times: Promise<SegmentTimes | undefined> | undefined;
    const deviceTimes = () => {
      if (!times) {
        times = timing ? final.read().then(() => timing.read(), () => undefined) : Promise.resolve(undefined);
        this.#track(times);
      }
      return times;
    };
    return { cuts: handles.slice(0, -1), final, deviceTimes };
  }

  /** States (default: every one) after the work submitted so far, in one copy. */
  readStates(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    this.#assertLive();
    const gpu = this.device.device;
    const all = names === undefined;
    const wanted = all ? this.#states : names.map((n) => this.#stateEntry(n));
    let bytes = all ? this.#statesBytes : 0;
    const entries = all ? wanted : wanted.map((e) => ({ ...e, offset: (bytes += roundUp4(e.tensor.bytes)) - roundUp4(e.tensor.bytes) }));
    const staging = wanted.length > 0 && bytes > 0 ? this.#pool.take(bytes) : undefined;
    if (staging) {
      const encoder = gpu.createCommandEncoder();
      if (all) encoder.copyBufferToBuffer(this.#regions.states, 0, staging, 0, bytes);
      else for (const e of entries) if (e.tensor.bytes > 0) encoder.copyBufferToBuffer(this.#regions.states, e.tensor.offset, staging, e.offset, roundUp4(e.tensor.bytes));
      gpu.queue.submit([encoder.finish()]);
    }
    const ticket = this.device.clock.submit(0, this.device.errorCount);
    return new RunHandle(this.#source(undefined), ticket, staging, staging ? entries : []).read();
  }

  #stateEntry(name: string): ReadbackEntry {
    const entry = this.#states.find((e) => e.name === name);
    if (!entry) throw new UsageError(`phased plan '${this.phased.name}': no state '${name}'`);
    return entry;
  }

  /** The names of the states, in layout order. */
  get stateNames(): readonly string[] {
    return this.#states.map((e) => e.name);
  }

  /** Overwrites a state; work submitted before sees the old value. */
  writeState(name: string, value: RunInput): void {
    this.#assertLive();
    const entry = this.#stateEntry(name);
    const data = encodeHostData(`phased plan '${this.phased.name}', state '${name}'`, value, entry.tensor);
    if (entry.tensor.bytes > 0) this.device.device.queue.writeBuffer(this.#regions.states, entry.tensor.offset, data);
  }

  /**
   * Waits for the reads in flight and the device's queue, then disposes. A worker thread must
   * not exit with Dawn callbacks pending: dawn.node aborts the whole process when one fires
   * into a torn-down thread.
   */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
    if (!this.#disposed && !this.device.lostInfo) await this.device.device.queue.onSubmittedWorkDone().catch(() => undefined);
    this.dispose();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool.close();
    this.#uploads.close();
    this.#ledger.destroyAll();
  }

  #track(p: Promise<unknown>): void {
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  #assertLive(): void {
    if (this.#disposed) throw new UsageError(`phased plan '${this.phased.name}': the executable was disposed`);
    this.device.assertUsable(`phased plan '${this.phased.name}'`);
  }

  #entries(phase: PlanPhase, names: readonly string[]): ReadbackEntry[] {
    let offset = 0;
    return names.map((name) => {
      const tensor = this.tensorOf(phase, name, 'outputs');
      const entry = { name, tensor, offset };
      offset += roundUp4(tensor.bytes);
      return entry;
    });
  }

  /** The steps [start, end) bound as a Program (the phase's state updates after its last segment). */
  #program(phase: PlanPhase, start: number, end: number, last: boolean): Program {
    const key = `${phase.name}:${start}-${end}`;
    let program = this.#programs.get(key);
    if (!program) {
      const plan = this.phased.plan;
      const slice: StaticPlan = { ...plan, name: `${plan.name}/${phase.name}`, steps: plan.steps.slice(start, end), stateUpdates: last ? phase.stateUpdates : [] };
      program = new Program(this.device.device, slice, this.#regions, this.#kernels, this.#ledger, this.device.limits.minStorageBufferOffsetAlignment ?? 256);
      this.#programs.set(key, program);
    }
    return program;
  }

  #estimate(key: string): GpuTimeEstimate {
    let e = this.#estimates.get(key);
    if (!e) this.#estimates.set(key, (e = new GpuTimeEstimate()));
    return e;
  }

  #source(estimate: GpuTimeEstimate | undefined): ReadbackSource {
    return {
      device: this.device,
      pool: this.#pool,
      what: `phased plan '${this.phased.name}'`,
      isDisposed: () => this.#disposed,
      observed: (ms, pollMs) => estimate?.learn(ms, pollMs),
    };
  }
}

