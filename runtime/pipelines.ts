import { DeviceError } from '../ir/errors.js';
import type { PlanKernel } from '../ir/plan.js';

/**
 * Compiling a plan's kernels into compute pipelines, all at once and in parallel.
 *
 * Layouts are explicit, not 'auto': every binding 0..n-1 is a read_write storage buffer, so a
 * kernel that leaves a binding unused still takes the plan's bind group, and one that declares
 * a binding `read` fails here, by name, instead of at dispatch time.
 */

export interface CompiledKernels {
  readonly pipelines: readonly GPUComputePipeline[];
  /** The bind group layout shared by every kernel with this many bindings. */
  layout(bindingCount: number): GPUBindGroupLayout;
  /** The layout of @group(1): the uniform of kernels that read sizes from it. */
  readonly sizesLayout: GPUBindGroupLayout;
  /** Shader modules this compile created (one per kernel: identical WGSL is one kernel of the plan). */
  readonly shaderModules: number;
}

let shaderModulesCreated = 0;

/**
 * Shader modules the runtime has created in this process: a plan compiled once creates its
 * modules at load and never again, whatever sizes its symbolic dims take afterwards.
 */
export function shaderModuleCount(): number {
  return shaderModulesCreated;
}

export async function compileKernels(device: GPUDevice, kernels: readonly PlanKernel[], planName: string): Promise<CompiledKernels> {
  const sizesLayout = device.createBindGroupLayout({
    entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } }],
    label: 'kernel sizes',
  });
  const layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  const layoutFor = (n: number, sizes = false): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } => {
    const key = `${n}${sizes ? '+sizes' : ''}`;
    let entry = layouts.get(key);
    if (!entry) {
      const group = sizes
        ? layoutFor(n).group
        : device.createBindGroupLayout({
            entries: Array.from({ length: n }, (_, binding): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } })),
            label: `${n} storage bindings`,
          });
      entry = { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: sizes ? [group, sizesLayout] : [group] }) };
      layouts.set(key, entry);
    }
    return entry;
  };

  const pipelines = await Promise.all(
    kernels.map(async (kernel, i) => {
      const what = `plan '${planName}', kernel ${i} '${kernel.name}'`;
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
          layout: layoutFor(kernel.bindingCount, (kernel.sizeSlots ?? 0) > 0).pipeline,
          compute: { module, entryPoint: kernel.entryPoint },
          label: kernel.name,
        });
      } catch (cause) {
        throw new DeviceError(`${what}: ${firstLine(cause instanceof Error ? cause.message : String(cause))}`, { cause });
      }
    }),
  );
  return { pipelines, layout: (n) => layoutFor(n).group, sizesLayout, shaderModules: kernels.length };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
