import { DeviceError } from '../ir/errors.js';
import type { PlanKernel } from '../ir/plan.js';

/**
 * Compiling a plan's kernels into compute pipelines, all at once and in parallel, in the order
 * the plan first uses them (so a driver that compiles in order reaches the first steps first).
 *
 * Pipelines are shared process-wide: every executable on a device that needs the same module
 * (same WGSL, entry point and binding count) gets the same pipeline, created once. A training
 * plan and its evaluation plan, the candidates of an autotuning run, or two models with layers
 * alike then pay the driver's shader compiler once per distinct kernel; on lavapipe that
 * compiler (LLVM, at pipeline creation or first dispatch) is most of a cold start. The cache
 * holds the device weakly: a lost device's pipelines go with it, and its replacement starts
 * empty.
 *
 * Layouts are explicit, not 'auto': every binding 0..n-1 is a read_write storage buffer, so a
 * kernel that leaves a binding unused still takes the plan's bind group, and one that declares
 * a binding `read` fails here, by name, instead of at dispatch time. A kernel that reads sizes
 * from a uniform (`PlanKernel.sizeSlots`) takes it at @group(1) binding 0, one layout per device.
 */

export interface CompiledKernels {
  readonly pipelines: readonly GPUComputePipeline[];
  /** The bind group layout shared by every kernel with this many bindings. */
  layout(bindingCount: number): GPUBindGroupLayout;
  /** The layout of @group(1): the uniform of kernels that read sizes from it. */
  readonly sizesLayout: GPUBindGroupLayout;
  /**
   * Shader modules the plan uses (one per kernel: identical WGSL is one kernel of the plan),
   * created by this compile or shared with an executable loaded before it on the device;
   * `shaderModuleCount` counts the ones actually created.
   */
  readonly shaderModules: number;
}

let shaderModulesCreated = 0;

/**
 * Shader modules the runtime has created in this process: a plan compiled once creates its
 * modules at load (or finds them in the device's pipeline cache) and never again, whatever
 * sizes its symbolic dims take afterwards.
 */
export function shaderModuleCount(): number {
  return shaderModulesCreated;
}

interface Layout {
  readonly group: GPUBindGroupLayout;
  readonly pipeline: GPUPipelineLayout;
}

interface DeviceCache {
  /** Layouts by binding count, with or without the @group(1) sizes uniform. */
  readonly layouts: Map<string, Layout>;
  readonly sizesLayout: GPUBindGroupLayout;
  /** Pipelines by `pipelineKey`, settled or still being created. */
  readonly pipelines: Map<string, Promise<GPUComputePipeline>>;
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

function cacheOf(device: GPUDevice): DeviceCache {
  let cache = caches.get(device);
  if (!cache) {
    const sizesLayout = device.createBindGroupLayout({
      entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } }],
      label: 'kernel sizes',
    });
    caches.set(device, (cache = { layouts: new Map(), sizesLayout, pipelines: new Map() }));
  }
  return cache;
}

/** The layout of kernels with `n` storage bindings, and @group(1) sizes when `sizes`. */
function layoutFor(device: GPUDevice, cache: DeviceCache, n: number, sizes = false): Layout {
  const key = `${n}${sizes ? '+sizes' : ''}`;
  let entry = cache.layouts.get(key);
  if (!entry) {
    const group = sizes
      ? layoutFor(device, cache, n).group
      : device.createBindGroupLayout({
          entries: Array.from({ length: n }, (_, binding): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } })),
          label: `${n} storage bindings`,
        });
    entry = { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: sizes ? [group, cache.sizesLayout] : [group] }) };
    cache.layouts.set(key, entry);
  }
  return entry;
}

function readsSizes(kernel: PlanKernel): boolean {
  return (kernel.sizeSlots ?? 0) > 0;
}

function pipelineKey(kernel: PlanKernel): string {
  return `${kernel.bindingCount}|${readsSizes(kernel) ? 'sizes' : ''}|${kernel.entryPoint}|${kernel.wgsl}`;
}

/** Distinct pipelines this device holds (for reports and tests). */
export function cachedPipelineCount(device: GPUDevice): number {
  return caches.get(device)?.pipelines.size ?? 0;
}

async function createPipeline(device: GPUDevice, layout: Layout, kernel: PlanKernel, what: string): Promise<GPUComputePipeline> {
  // Scopes are a stack popped synchronously, so each kernel's push/pop pair stays its own
  // even though the awaits interleave.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: kernel.wgsl, label: kernel.name });
  shaderModulesCreated++;
  const moduleError = device.popErrorScope();
  const info = await module.getCompilationInfo();
  const wgslErrors = info.messages.filter((m) => m.type === 'error');
  if (wgslErrors.length > 0) {
    const m = wgslErrors[0];
    const more = wgslErrors.length > 1 ? ` (and ${wgslErrors.length - 1} more)` : '';
    throw new DeviceError(`${what}: WGSL error at line ${m.lineNum}:${m.linePos}: ${m.message}${more}`);
  }
  const error = await moduleError;
  if (error) throw new DeviceError(`${what}: ${firstLine(error.message)}`);
  try {
    return await device.createComputePipelineAsync({
      layout: layout.pipeline,
      compute: { module, entryPoint: kernel.entryPoint },
      label: kernel.name,
    });
  } catch (cause) {
    throw new DeviceError(`${what}: ${firstLine(cause instanceof Error ? cause.message : String(cause))}`, { cause });
  }
}

export async function compileKernels(device: GPUDevice, kernels: readonly PlanKernel[], planName: string): Promise<CompiledKernels> {
  const cache = cacheOf(device);
  const pipelines = await Promise.all(
    kernels.map((kernel, i) => {
      const key = pipelineKey(kernel);
      const what = `plan '${planName}', kernel ${i} '${kernel.name}'`;
      const layout = layoutFor(device, cache, kernel.bindingCount, readsSizes(kernel));
      const cached = cache.pipelines.get(key);
      // A kernel that failed for another plan fails again here, named for this one.
      if (cached) return cached.catch(() => createPipeline(device, layout, kernel, what));
      const created = createPipeline(device, layout, kernel, what);
      cache.pipelines.set(key, created);
      created.catch(() => {
        if (cache.pipelines.get(key) === created) cache.pipelines.delete(key);
      });
      return created;
    }),
  );
  return { pipelines, layout: (n) => layoutFor(device, cache, n).group, sizesLayout: cache.sizesLayout, shaderModules: kernels.length };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
