import { create, globals } from 'webgpu';
import type { GpuPlatform } from './gpu_platform.js';

/**
 * Node's WebGPU: Dawn through npm `webgpu` (dawn.node). One Dawn instance per process. The
 * browser bundle replaces this module by gpu.browser.ts (see gpu_platform.ts).
 */

/**
 * Held for the life of the process on purpose: when dawn.node's GPU object is garbage-collected
 * it tears down the Dawn instance under any live device, and the next wait crashes the process
 * (segfault, or glibc futex/mutex assertions).
 */
let gpu: GPU | undefined;

/** The process's Dawn instance; also installs the WebGPU globals (GPUBufferUsage, ...) once. */
function dawn(): GPU {
  if (!gpu) {
    Object.assign(globalThis, globals);
    // Dawn rounds timestamps to 65.5 µs by default, a browser defence against timing attacks
    // that would leave profiles and the autotuner unable to tell short kernels apart.
    gpu = create(['disable-dawn-features=timestamp_quantization']);
  }
  return gpu;
}

export const gpuPlatform: GpuPlatform = {
  requestAdapter: (options) => dawn().requestAdapter(options),
  noAdapterHint: 'run `npm run setup:webgpu` to install a Vulkan driver (Mesa lavapipe works without a GPU)',
};
