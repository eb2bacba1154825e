/**
 * Counts the bytes of every GPU buffer the runtime creates, so that a leak shows up as a number
 * a test can assert on rather than as a slow drift of process memory. Ledgers nest: an
 * executable's ledger reports into its device's, so both can be checked.
 */
export class BufferLedger {
  readonly #live = new Map<GPUBuffer, number>();
  #bytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly parent?: BufferLedger,
  ) {}

  /** Bytes held by live buffers created through this ledger (and its children). */
  get bytes(): number {
    return this.#bytes;
  }

  create(descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = this.device.createBuffer(descriptor);
    this.#live.set(buffer, descriptor.size);
    this.#add(descriptor.size);
    return buffer;
  }

  /** Destroys a buffer this ledger created; others are ignored (a double destroy is harmless). */
  destroy(buffer: GPUBuffer): void {
    const size = this.#live.get(buffer);
    if (size === undefined) return;
    this.#live.delete(buffer);
    buffer.destroy();
    this.#add(-size);
  }

  destroyAll(): void {
    for (const buffer of [...this.#live.keys()]) this.destroy(buffer);
  }

  #add(delta: number): void {
    this.#bytes += delta;
    if (this.parent) this.parent.#add(delta);
  }
}
