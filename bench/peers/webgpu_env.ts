import { create, globals } from 'webgpu';

/**
 * What the browser-first peers (onnxruntime-web, tfjs-backend-webgpu) need to run in Node on
 * Dawn's adapter: the WebGPU globals and `navigator.gpu` (set before they are imported: tfjs
 * registers its backend at import time), a `writeBuffer` that never hands dawn.node a view
 * over a SharedArrayBuffer (it segfaults; onnxruntime-web's wasm heap is one), and a timer
 * that keeps the event loop turning (without it onnxruntime-web's first GPU wait stalls for
 * ~30 s while its wasm tiers up).
 */

let keepAlive: ReturnType<typeof setInterval> | undefined;

type WriteBuffer = GPUQueue['writeBuffer'];
type Data = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

function unshared(data: Data): Data {
  if (data instanceof SharedArrayBuffer) return new Uint8Array(data).slice().buffer;
  if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
    // Same element type, same values, ordinary memory: offsets and sizes stay in elements.
    const copy = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    const Ctor = data.constructor as new (buffer: ArrayBuffer) => ArrayBufferView;
    return data instanceof DataView ? new DataView(copy.buffer) : new Ctor(copy.buffer);
  }
  return data;
}

export function installWebGpuGlobals(): GPU {
  const scope = globalThis as unknown as { navigator?: { gpu?: GPU }; GPUQueue: { prototype: GPUQueue } };
  if (scope.navigator?.gpu) return scope.navigator.gpu;
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { ...(scope.navigator ?? {}), gpu }, configurable: true, writable: true });

  const proto = scope.GPUQueue.prototype;
  const original = proto.writeBuffer as (...args: unknown[]) => undefined;
  const wrapped = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: Data, dataOffset?: number, size?: number): undefined {
    return original.call(this, buffer, offset, unshared(data), dataOffset, size);
  };
  proto.writeBuffer = wrapped as unknown as WriteBuffer;

  keepAlive ??= setInterval(() => undefined, 20);
  return gpu;
}

export function releaseWebGpuGlobals(): void {
  if (keepAlive) clearInterval(keepAlive);
  keepAlive = undefined;
}
