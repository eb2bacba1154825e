import { ArtifactError, DeviceError, InputError, OutOfMemoryError } from '../ir/errors.js';
import type { Plan, PlanRegion, StaticPlanTensor } from '../ir/plan.js';
import { asStaticPlan } from '../ir/plan_binding.js';
import type { HostTensor } from '../ir/tensor.js';
import { BufferLedger } from './buffer_ledger.js';
import type { DawnDevice } from './device.js';
import { encodeHostData } from './host_data.js';
import { REGIONS } from './plan_check.js';
import { type CompiledKernels, compileKernels } from './pipelines.js';
import { Program, type RegionBuffers } from './program.js';
import { StagingPool } from './staging_pool.js';
import { UploadPool } from './upload_pool.js';

/**
 * Everything an executable holds on one device: region buffers, pipelines and bind groups, the
 * readback pool. Built once by `load`, and built again on a new device after a device loss,
 * which is why it is its own object: the executable swaps it whole.
 */
export interface DeviceResources {
  readonly device: DawnDevice;
  readonly ledger: BufferLedger;
  /** The region buffers; a symbolic plan's arena is replaced by a larger one when a binding needs it (`growArena`). */
  readonly regions: RegionBuffers;
  readonly kernels: CompiledKernels;
  /** A static plan's program, made and validated at load; a symbolic plan makes one per binding. */
  readonly program: Program | undefined;
  readonly pool: StagingPool;
  /** Mapped staging buffers for large inputs. */
  readonly uploads: UploadPool;
  /**
   * A copy of the states region taken at the start of each guarded run, so a run whose
   * values are not finite can be undone on the GPU (present with the numeric guard's
   * `skipUpdate` on a plan with states).
   */
  readonly backup: GPUBuffer | undefined;
}

export interface ResourceOptions {
  /** Byte size of each region's buffer (from checkPlan). */
  readonly sizes: Readonly<Record<PlanRegion, number>>;
  /** Values for the states instead of the plan's initial ones (a snapshot, after a loss). */
  readonly stateValues?: Readonly<Record<string, HostTensor>>;
  readonly backup?: boolean;
}

/** How region buffers are used: bound as storage, uploaded into, read back from. */
function regionUsage(): GPUBufferUsageFlags {
  // GPUBufferUsage is a global only once a device exists, hence read when a buffer is made.
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
}

/** A plan's region buffers with its constants and states uploaded, and its kernels compiled. */
export interface PlanBuffers {
  readonly regions: RegionBuffers;
  readonly kernels: CompiledKernels;
  /** The states' copy for undoing a run (`backup`), when asked for and the plan has states. */
  readonly backup: GPUBuffer | undefined;
}

export interface AllocateOptions extends ResourceOptions {
  /** How errors name the plan: `plan '<name>'` unless given (a phased plan names itself). */
  readonly where?: string;
}

/**
 * The part of loading that every executable of a plan shares, single-device or phased:
 * allocates the region buffers through `ledger`, uploads the constants and states, compiles
 * the kernels. The device's out-of-memory and validation errors are caught with error scopes:
 * a failure is an OutOfMemoryError or DeviceError naming the plan. The buffers belong to
 * `ledger`: on a failure the caller destroys it (as it does whatever else it made there).
 */
export async function allocatePlan(plan: Plan, gpu: GPUDevice, ledger: BufferLedger, options: AllocateOptions): Promise<PlanBuffers> {
  const where = options.where ?? `plan '${plan.name}'`;
  const create = (size: number, label: string): GPUBuffer => ledger.create({ size, usage: regionUsage(), label });
  gpu.pushErrorScope('out-of-memory');
  const regions = {} as Record<PlanRegion, GPUBuffer>;
  for (const r of REGIONS) regions[r] = create(options.sizes[r], `${plan.name} ${r}`);
  const backup = options.backup && plan.states.length > 0 ? create(options.sizes.states, `${plan.name} states before the run`) : undefined;
  const oom = await gpu.popErrorScope();
  if (oom) {
    const total = REGIONS.reduce((sum, r) => sum + options.sizes[r], 0) + (backup ? options.sizes.states : 0);
    throw new OutOfMemoryError(`${where}: allocating ${total} bytes of regions failed: ${firstLine(oom.message)}`);
  }

  gpu.pushErrorScope('out-of-memory');
  gpu.pushErrorScope('validation');
  uploadInitialValues(plan, where, regions, gpu.queue, options.stateValues);
  const invalidUpload = gpu.popErrorScope();
  const oomUpload = gpu.popErrorScope();
  const uploadError = (await invalidUpload) ?? (await oomUpload);
  if (uploadError) throw new (uploadError instanceof GPUOutOfMemoryError ? OutOfMemoryError : DeviceError)(`${where}: uploading constants and states failed: ${firstLine(uploadError.message)}`);

  const kernels = await compileKernels(gpu, plan.kernels, plan.name);
  return { regions, kernels, backup };
}

/**
 * Creates the resources: the plan's buffers and kernels (`allocatePlan`), then a static plan's
 * program, its bindings checked with error scopes too. A failure is an OutOfMemoryError or
 * DeviceError naming the plan and, where it comes from one, the kernel or step. Nothing is left
 * allocated when it throws.
 */
export async function createResources(plan: Plan, dev: DawnDevice, options: ResourceOptions): Promise<DeviceResources> {
  const where = `plan '${plan.name}'`;
  const gpu = dev.device;
  const ledger = new BufferLedger(gpu, dev.ledger);
  const pool = new StagingPool(ledger, plan.name);
  const uploads = new UploadPool(ledger, plan.name);
  try {
    const { regions, kernels, backup } = await allocatePlan(plan, gpu, ledger, options);
    if (plan.symbolic) return { device: dev, ledger, regions, kernels, program: undefined, pool, uploads, backup };
    gpu.pushErrorScope('out-of-memory');
    gpu.pushErrorScope('validation');
    const program = createProgram(plan, { device: dev, ledger, regions, kernels });
    const invalidBinding = gpu.popErrorScope();
    const oomBinding = gpu.popErrorScope();
    const bindingError = (await invalidBinding) ?? (await oomBinding);
    if (bindingError) {
      const kind = bindingError instanceof GPUOutOfMemoryError ? OutOfMemoryError : DeviceError;
      throw new kind(`${where}: binding the steps failed: ${firstLine(bindingError.message)}${labelIn(bindingError.message)}`);
    }
    await program.validate(gpu, where);
    return { device: dev, ledger, regions, kernels, program, pool, uploads, backup };
  } catch (error) {
    pool.close();
    uploads.close();
    ledger.destroyAll();
    throw error;
  }
}

/** The program of a plan's steps at one binding (a static plan's only one) on these resources. */
export function createProgram(plan: Plan, res: Pick<DeviceResources, 'device' | 'ledger' | 'regions' | 'kernels'>): Program {
  const limits = res.device.limits;
  return new Program(res.device.device, asStaticPlan(plan), res.regions, res.kernels, res.ledger, limits.minStorageBufferOffsetAlignment ?? 256, limits.minUniformBufferOffsetAlignment ?? 256);
}

/**
 * Replaces the arena by one of `bytes` (a symbolic plan's binding needs more than it has). Runs in
 * flight keep the old buffer alive until they finish (WebGPU frees a destroyed buffer after the
 * work queued on it); programs bound to it must be made again.
 */
export function growArena(res: DeviceResources, plan: Plan, bytes: number): void {
  const old = res.regions.arena;
  (res.regions as Record<PlanRegion, GPUBuffer>).arena = res.ledger.create({ size: bytes, usage: regionUsage(), label: `${plan.name} arena` });
  res.ledger.destroy(old);
}

/** Releases everything; on a lost device this only settles the books. */
export function releaseResources(res: DeviceResources): void {
  res.pool.close();
  res.uploads.close();
  res.ledger.destroyAll();
}

/**
 * Constants, and the states' values: the plan's initial ones (a state without data starts at
 * 0) or the given ones.
 */
function uploadInitialValues(plan: Plan, where: string, regions: RegionBuffers, queue: GPUQueue, stateValues: Readonly<Record<string, HostTensor>> | undefined): void {
  for (const [kind, list] of [['constant', plan.constants], ['state', plan.states]] as const) {
    for (const c of list) {
      // Constants and states have static shapes (checkPlan holds symbolic plans to that).
      const tensor = plan.tensors[c.tensor] as StaticPlanTensor;
      const what = `${where}, ${kind} '${tensor.name}'`;
      const given = kind === 'state' && stateValues ? stateValues[tensor.name] : undefined;
      const value = given ?? c.data;
      if (value === undefined) {
        if (kind === 'constant') throw new ArtifactError(`${what} has no data (were the weights loaded?)`);
        // After a loss the new buffer is zeroed like the first one was.
        continue;
      }
      let data: ArrayBufferView<ArrayBuffer>;
      try {
        data = encodeHostData(what, value, tensor);
      } catch (e) {
        throw e instanceof InputError && !given ? new ArtifactError(e.message, { cause: e }) : e;
      }
      if (tensor.bytes > 0) queue.writeBuffer(regions[tensor.region], tensor.offset, data);
    }
  }
}

function labelIn(message: string): string {
  const m = /\[BindGroup "+([^"]+)"+\]/.exec(message);
  return m ? ` (in bind group '${m[1]}')` : '';
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
