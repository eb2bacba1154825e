import type { BufferLedger } from './buffer_ledger.js';

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
  readonly #idle = new Map<number, GPUBuffer[]>();
  #closed = false;

  constructor(
    private readonly ledger: BufferLedger,
    private readonly label: string,
    private readonly maxIdlePerSize = 2,
  ) {}

  /** A mapped buffer of exactly `size` bytes (a multiple of 4). */
  take(size: number): GPUBuffer {
    const reused = this.#idle.get(size)?.pop();
    if (reused) return reused;
    return this.ledger.create({ size, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true, label: `${this.label} upload` });
  }

  /** Takes back a buffer whose run has finished: maps it again, then keeps or destroys it. */
  recycle(buffer: GPUBuffer): void {
    if (this.#closed) {
      this.ledger.destroy(buffer);
      return;
    }
    buffer.mapAsync(GPUMapMode.WRITE).then(
      () => this.#keep(buffer),
      () => this.ledger.destroy(buffer),
    );
  }

  #keep(buffer: GPUBuffer): void {
    const idle = this.#idle.get(buffer.size) ?? [];
    if (this.#closed || idle.length >= this.maxIdlePerSize) {
      this.ledger.destroy(buffer);
      return;
    }
    idle.push(buffer);
    this.#idle.set(buffer.size, idle);
  }

  /** Destroys the idle buffers; buffers recycled later are destroyed too. */
  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const b of list) this.ledger.destroy(b);
    this.#idle.clear();
  }
}
