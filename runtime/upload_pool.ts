import type { BufferLedger } from './buffer_ledger.js';
import { IdleBuffers } from './idle_buffers.js';

/**
 * MAP_WRITE staging buffers for a run's inputs, reused by size and always handed out mapped.
 * `queue.writeBuffer` has Dawn find staging memory on every call, and past its ring buffer it
 * allocates afresh: 8 MiB of matmul inputs took 0.7 ms usually and 5–50 ms when it did, a
 * third of a 1024³ run on lavapipe. Here a run copies its inputs into a mapped buffer, the GPU
 * copies them to their tensors at the start of the run's command buffer, and once the run is
 * known to be done the buffer is mapped again (the GPU no longer touches it, so that resolves at
 * once) and comes back.
 */
export class UploadPool {
  readonly #idle: IdleBuffers;
  #closed = false;

  constructor(
    private readonly ledger: BufferLedger,
    private readonly label: string,
    maxIdlePerSize = 2,
  ) {
    this.#idle = new IdleBuffers(ledger, maxIdlePerSize);
  }

  /** A mapped buffer of exactly `size` bytes (a multiple of 4). */
  take(size: number): GPUBuffer {
    return (
      this.#idle.take(size) ??
      this.ledger.create({ size, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true, label: `${this.label} upload` })
    );
  }

  /** Takes back a buffer whose run has finished: maps it again, then keeps or destroys it. */
  recycle(buffer: GPUBuffer): void {
    if (this.#closed) {
      this.ledger.destroy(buffer);
      return;
    }
    buffer.mapAsync(GPUMapMode.WRITE).then(
      () => this.#idle.keep(buffer),
      () => this.ledger.destroy(buffer),
    );
  }

  /** Destroys the idle buffers; buffers recycled later are destroyed too. */
  close(): void {
    this.#closed = true;
    this.#idle.close();
  }
}
