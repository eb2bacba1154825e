import type { BufferLedger } from './buffer_ledger.js';

/**
 * MAP_READ buffers for readback, reused by size. A run takes one, the GPU copies its outputs
 * into it, the host maps and copies them out, and the buffer comes back here. A burst of
 * concurrent runs needs many at once; only a few are kept idle afterwards, so memory returns
 * to where it was.
 */
export class StagingPool {
  readonly #idle = new Map<number, GPUBuffer[]>();
  #closed = false;

  constructor(
    private readonly ledger: BufferLedger,
    private readonly label: string,
    private readonly maxIdlePerSize = 4,
  ) {}

  /** A buffer of exactly `size` bytes (a multiple of 4), unmapped. */
  take(size: number): GPUBuffer {
    const reused = this.#idle.get(size)?.pop();
    if (reused) return reused;
    return this.ledger.create({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${this.label} readback` });
  }

  /** Returns an unmapped buffer taken from this pool. */
  give(buffer: GPUBuffer): void {
    const idle = this.#idle.get(buffer.size) ?? [];
    if (this.#closed || idle.length >= this.maxIdlePerSize) {
      this.ledger.destroy(buffer);
      return;
    }
    idle.push(buffer);
    this.#idle.set(buffer.size, idle);
  }

  /** Destroys the idle buffers; buffers given back later are destroyed too. */
  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const b of list) this.ledger.destroy(b);
    this.#idle.clear();
  }
}
