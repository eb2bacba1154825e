import { DeviceError } from '../../ir/errors.js';
import type { GpuPlatform } from './gpu_platform.js';

/**
 * A web page's WebGPU: `navigator.gpu`. Replaces gpu.ts in the browser bundle (see
 * gpu_platform.ts); the WebGPU globals (GPUBufferUsage, ...) are the browser's own.
 */

/** Chromium's first requestAdapter() now and then answers null; a second one a moment later does not. */
const ADAPTER_RETRY_MS = 250;

function navigatorGpu(): GPU {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    throw new DeviceError(
      secure === false
        ? 'this page has no WebGPU: navigator.gpu exists only in secure contexts (https:// or http://localhost)'
        : 'this browser has no WebGPU (navigator.gpu is undefined): use a browser with WebGPU enabled (Chromium: --enable-unsafe-webgpu where it is off)',
    );
  }
  return gpu;
}

export const gpuPlatform: GpuPlatform = {
  async requestAdapter(options) {
    const gpu = navigatorGpu();
    const first = await gpu.requestAdapter(options);
    if (first) return first;
    await new Promise((resolve) => setTimeout(resolve, ADAPTER_RETRY_MS));
    return gpu.requestAdapter(options);
  },
  noAdapterHint: 'the browser offers no WebGPU adapter (Chromium without a GPU: start it with --enable-unsafe-webgpu for its SwiftShader adapter)',
};
