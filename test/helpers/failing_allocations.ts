import type { DawnDevice } from '../../runtime/index.js';

/**
 * Makes `dev` unable to allocate a buffer of more than `maxBytes`, failing the way Dawn does
 * when device memory runs out: createBuffer returns an invalid buffer and raises a
 * GPUOutOfMemoryError, which the innermost 'out-of-memory' error scope catches, or which the
 * device reports as uncaptured when no scope is open. lavapipe commits memory lazily (a buffer
 * up to maxBufferSize always "succeeds"), so real exhaustion cannot be provoked on it.
 *
 * Every other call reaches Dawn unchanged. Returns the function that undoes it.
 */
export function failAllocationsAbove(dev: DawnDevice, maxBytes: number): () => void {
  const gpu = dev.device;
  const original = { createBuffer: gpu.createBuffer, pushErrorScope: gpu.pushErrorScope, popErrorScope: gpu.popErrorScope };
  const ownBefore = Object.keys(original).filter((name) => Object.hasOwn(gpu, name));
  /** The scopes open now, innermost last, each with the error injected into it (only the first counts). */
  const scopes: { filter: GPUErrorFilter; error?: GPUError }[] = [];
  const patched = gpu as { -readonly [K in keyof typeof original]: GPUDevice[K] };

  patched.pushErrorScope = (filter: GPUErrorFilter) => {
    scopes.push({ filter });
    original.pushErrorScope.call(gpu, filter);
  };
  patched.popErrorScope = () => {
    const scope = scopes.pop();
    return original.popErrorScope.call(gpu).then((error) => error ?? scope?.error ?? null);
  };
  patched.createBuffer = (descriptor: GPUBufferDescriptor) => {
    if (descriptor.size <= maxBytes) return original.createBuffer.call(gpu, descriptor);
    // An invalid buffer, as Dawn hands back for a failed allocation; its own validation error is not the point.
    original.pushErrorScope.call(gpu, 'validation');
    const invalid = original.createBuffer.call(gpu, { ...descriptor, usage: descriptor.usage | GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE });
    void original.popErrorScope.call(gpu);
    const error = new GPUOutOfMemoryError(`Out of memory: allocating ${descriptor.size} bytes failed (at most ${maxBytes} here).\n - While calling [Device].CreateBuffer([BufferDescriptor "${descriptor.label ?? ''}"]).`);
    const scope = [...scopes].reverse().find((s) => s.filter === 'out-of-memory');
    if (!scope) gpu.dispatchEvent(new GPUUncapturedErrorEvent('uncapturederror', { error }));
    else scope.error ??= error;
    return invalid;
  };
  return () => {
    for (const name of Object.keys(original) as (keyof typeof original)[]) {
      if (ownBefore.includes(name)) patched[name] = original[name] as never;
      else delete (patched as Partial<typeof patched>)[name];
    }
  };
}
