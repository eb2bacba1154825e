import type { BufferLedger } from './buffer_ledger.js';

/**
 * Buffers kept for reuse, by size. A burst of concurrent runs needs many at once; only a few
 * per size stay idle afterwards, so memory returns to where it was. Once closed, everything
 * given back is destroyed.
 */
export class IdleBuffers {
  readonly #idle = new Map<number, GPUBuffer[]>();
  #closed = false;

  constructor(
    private readonly ledger: BufferLedger,
    private readonly maxPerSize: number,
  ) {}

  /** An idle buffer of exactly `size` bytes, if one is kept. */
  take(size: number): GPUBuffer | undefined {
    return this.#idle.get(size)?.pop();
  }

  keep(buffer: GPUBuffer): void {
    const idle = this.#idle.get(buffer.size) ?? [];
    if (this.#closed || idle.length >= this.maxPerSize) {
      this.ledger.destroy(buffer);
      return;
    }
    idle.push(buffer);
    this.#idle.set(buffer.size, idle);
  }

  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const b of list) this.ledger.destroy(b);
    this.#idle.clear();
  }
}
