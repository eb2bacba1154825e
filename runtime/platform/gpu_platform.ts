/**
 * How the runtime obtains WebGPU: the one thing that differs between Node (Dawn through npm
 * `webgpu`, `gpu.ts`) and a web page (`navigator.gpu`, `gpu.browser.ts`). device.ts imports
 * `gpu.ts`; the browser bundle (bin/browser/bundle.ts) swaps in `gpu.browser.ts`, which has the
 * same exports, so everything above device.ts is the same code in both places.
 */
export interface GpuPlatform {
  /** Requests an adapter; null when the platform has none (callers turn that into a DeviceError). */
  requestAdapter(options: GPURequestAdapterOptions | undefined): Promise<GPUAdapter | null>;
  /** What to tell a user who has no adapter: how to get one on this platform. */
  readonly noAdapterHint: string;
}
