import { DeviceError } from '../ir/errors.js';
import type { PlanRegion, StaticPlan, StaticPlanTensor } from '../ir/plan.js';
import type { BufferLedger } from './buffer_ledger.js';
import { roundUp4 } from './host_data.js';
import type { CompiledKernels } from './pipelines.js';
import type { StepTimer } from './step_timer.js';

/**
 * A plan's work in the form a run encodes without allocating anything: pipelines with their
 * bind groups and the values of their size uniforms, and the state-update copies. Made once at
 * load for a static plan; for a symbolic plan once per binding of its symbols (the pipelines
 * are the plan's, compiled once: only bind groups and a small uniform buffer are per binding).
 */

export type RegionBuffers = Readonly<Record<PlanRegion, GPUBuffer>>;

/** A step of the plan as profiles name it. */
export interface StepInfo {
  /** Its index in the plan's steps. */
  readonly step: number;
  /** Its nodes (`op 'name'`, ...). */
  readonly label: string;
  readonly kernel: string;
  /** The step's floating-point operations, where the plan counts them (see PlanStep.flops). */
  readonly flops?: number;
}

interface BoundStep extends StepInfo {
  /** Names the step in messages: its index in the plan, its nodes and its kernel. */
  readonly what: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  /** @group(1): the step's size slots, for kernels that read sizes from their uniform. */
  readonly sizesGroup: GPUBindGroup | undefined;
  readonly dispatch: readonly [number, number, number];
}

interface Copy {
  readonly from: GPUBuffer;
  readonly fromOffset: number;
  readonly to: GPUBuffer;
  readonly toOffset: number;
  readonly bytes: number;
}

export class Program {
  readonly #steps: BoundStep[] = [];
  readonly #updates: Copy[] = [];
  readonly #owned: GPUBuffer[] = [];
  readonly #ledger: BufferLedger;

  /**
   * Binds every step. Steps with a zero in their dispatch do nothing and are left out.
   * Zero-byte tensors cannot be bound (Dawn rejects a zero-size binding), so each takes its
   * own small slot of a scratch buffer: distinct slots, since all bindings are writable and
   * must not alias. A kernel never touches such a binding, having no element to touch.
   */
  constructor(device: GPUDevice, plan: StaticPlan, regions: RegionBuffers, kernels: CompiledKernels, ledger: BufferLedger, alignment: number, uniformAlignment = 256) {
    this.#ledger = ledger;
    const live = plan.steps.map((s, index) => ({ s, index })).filter(({ s }) => s.dispatch.every((d) => d > 0));
    const slots = Math.max(0, ...live.map(({ s }) => s.tensors.filter((id) => plan.tensors[id].bytes === 0).length));
    const slotBytes = roundUp4(Math.max(16, alignment));
    const scratch = slots > 0 ? this.#own(ledger.create({ size: slots * slotBytes, usage: GPUBufferUsage.STORAGE, label: `${plan.name} zero-size bindings` })) : undefined;
    const sizeGroups = this.#sizeGroups(device, plan, live.map(({ s }) => s.sizes), kernels, ledger, uniformAlignment);

    live.forEach(({ s, index }, i) => {
      const kernel = plan.kernels[s.kernel];
      let slot = 0;
      const entries = s.tensors.map((id, binding): GPUBindGroupEntry => {
        const t: StaticPlanTensor = plan.tensors[id];
        if (t.bytes === 0 && scratch) return { binding, resource: { buffer: scratch, offset: slot++ * slotBytes, size: slotBytes } };
        return { binding, resource: { buffer: regions[t.region], offset: t.offset, size: roundUp4(t.bytes) } };
      });
      const bindGroup = device.createBindGroup({
        layout: kernels.layout(kernel.bindingCount),
        entries,
        label: `${plan.name} step ${index} '${s.label}' (kernel '${kernel.name}')`,
      });
      this.#steps.push({
        step: index,
        label: s.label,
        kernel: kernel.name,
        ...(s.flops !== undefined ? { flops: s.flops } : {}),
        what: `step ${index} '${s.label}' (kernel ${s.kernel} '${kernel.name}')`,
        pipeline: kernels.pipelines[s.kernel],
        bindGroup,
        sizesGroup: sizeGroups[i],
        dispatch: s.dispatch,
      });
    });

    for (const u of plan.stateUpdates) {
      const from = plan.tensors[u.from];
      const to = plan.tensors[u.state];
      if (from.bytes === 0) continue;
      this.#updates.push({ from: regions[from.region], fromOffset: from.offset, to: regions[to.region], toOffset: to.offset, bytes: roundUp4(from.bytes) });
    }
  }

  /**
   * One uniform buffer for every step's size slots (each at an offset aligned to
   * minUniformBufferOffsetAlignment), written once, and a @group(1) bind group per step that has
   * slots. The slots hold u32 words: a negative value is written as its two's complement.
   */
  #sizeGroups(device: GPUDevice, plan: StaticPlan, sizes: readonly (readonly number[] | undefined)[], kernels: CompiledKernels, ledger: BufferLedger, uniformAlignment: number): (GPUBindGroup | undefined)[] {
    const stride = (n: number) => Math.ceil(n / 4) * 16;
    const offsets: number[] = [];
    let total = 0;
    for (const values of sizes) {
      offsets.push(total);
      if (values?.length) total += Math.ceil(stride(values.length) / uniformAlignment) * uniformAlignment;
    }
    if (total === 0) return sizes.map(() => undefined);
    const buffer = this.#own(ledger.create({ size: total, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: `${plan.name} kernel sizes` }));
    const words = new Uint32Array(total / 4);
    sizes.forEach((values, i) => values?.forEach((v, slot) => (words[offsets[i] / 4 + slot] = v >>> 0)));
    device.queue.writeBuffer(buffer, 0, words);
    return sizes.map((values, i) =>
      values?.length ? device.createBindGroup({ layout: kernels.sizesLayout, entries: [{ binding: 0, resource: { buffer, offset: offsets[i], size: stride(values.length) } }], label: `${plan.name} sizes ${i}` }) : undefined,
    );
  }

  #own(buffer: GPUBuffer): GPUBuffer {
    this.#owned.push(buffer);
    return buffer;
  }

  /** Destroys the buffers this program made (its size uniforms and zero-size slots); the regions are not its. */
  release(): void {
    for (const buffer of this.#owned) this.#ledger.destroy(buffer);
    this.#owned.length = 0;
  }

  /** Records every step into one compute pass, then the state updates. */
  encode(encoder: GPUCommandEncoder): void {
    if (this.#steps.length > 0) {
      const pass = encoder.beginComputePass();
      let current: GPUComputePipeline | undefined;
      for (const step of this.#steps) {
        if (step.pipeline !== current) {
          pass.setPipeline(step.pipeline);
          current = step.pipeline;
        }
        pass.setBindGroup(0, step.bindGroup);
        if (step.sizesGroup) pass.setBindGroup(1, step.sizesGroup);
        pass.dispatchWorkgroups(step.dispatch[0], step.dispatch[1], step.dispatch[2]);
      }
      pass.end();
    }
    this.#encodeUpdates(encoder);
  }

  /** The live steps (those with work), in order: what `encodeTimed` times. */
  get timedSteps(): readonly StepInfo[] {
    return this.#steps.map(({ step, label, kernel, flops }) => ({ step, label, kernel, ...(flops !== undefined ? { flops } : {}) }));
  }

  /**
   * Records each step in its own compute pass, timed by `timer` (pass i = step i), then the state
   * updates. Slower than `encode` (a pass per dispatch): for profiling only.
   */
  encodeTimed(encoder: GPUCommandEncoder, timer: StepTimer): void {
    this.#steps.forEach((step, i) => {
      const pass = encoder.beginComputePass({ timestampWrites: timer.writes(i) });
      pass.setPipeline(step.pipeline);
      pass.setBindGroup(0, step.bindGroup);
      if (step.sizesGroup) pass.setBindGroup(1, step.sizesGroup);
      pass.dispatchWorkgroups(step.dispatch[0], step.dispatch[1], step.dispatch[2]);
      pass.end();
    });
    timer.resolve(encoder);
    this.#encodeUpdates(encoder);
  }

  /**
   * Lets Dawn validate every dispatch now rather than at the first run (binding sizes against
   * what shaders declare, aliasing, copies), one trial encoding per step, never submitted, each
   * in its own error scope so that a fault names its step and kernel. Throws a DeviceError.
   */
  async validate(device: GPUDevice, where: string): Promise<void> {
    const trials: { what: string; error: Promise<GPUError | null> }[] = [];
    for (const step of this.#steps) {
      device.pushErrorScope('validation');
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(step.pipeline);
      pass.setBindGroup(0, step.bindGroup);
      if (step.sizesGroup) pass.setBindGroup(1, step.sizesGroup);
      pass.dispatchWorkgroups(step.dispatch[0], step.dispatch[1], step.dispatch[2]);
      pass.end();
      encoder.finish();
      trials.push({ what: step.what, error: device.popErrorScope() });
    }
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    this.#encodeUpdates(encoder);
    encoder.finish();
    trials.push({ what: 'the state updates', error: device.popErrorScope() });
    for (const { what, error } of trials) {
      const found = await error;
      if (found) throw new DeviceError(`${where}, ${what}: ${found.message.split('\n')[0]}`);
    }
  }

  #encodeUpdates(encoder: GPUCommandEncoder): void {
    for (const c of this.#updates) encoder.copyBufferToBuffer(c.from, c.fromOffset, c.to, c.toOffset, c.bytes);
  }
}
