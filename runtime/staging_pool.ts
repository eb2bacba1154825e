import type { BufferLedger } from './buffer_ledger.js';
import { IdleBuffers } from './idle_buffers.js';

/**
 * MAP_READ buffers for readback, reused by size. A run takes one, the GPU copies its outputs
 * into it, the host maps and copies them out, and the buffer comes back here.
 */
export class StagingPool {
  readonly #idle: IdleBuffers;

  constructor(
    private readonly ledger: BufferLedger,
    private readonly label: string,
    maxIdlePerSize = 4,
  ) {
    this.#idle = new IdleBuffers(ledger, maxIdlePerSize);
  }

  /** A buffer of exactly `size` bytes (a multiple of 4), unmapped. */
  take(size: number): GPUBuffer {
    return this.#idle.take(size) ?? this.ledger.create({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${this.label} readback` });
  }

  /** Returns an unmapped buffer taken from this pool. */
  give(buffer: GPUBuffer): void {
    this.#idle.keep(buffer);
  }

  /** Destroys the idle buffers; buffers given back later are destroyed too. */
  close(): void {
    this.#idle.close();
  }
}
