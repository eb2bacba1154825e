import { DeviceError } from '../ir/errors.js';

/**
 * Device-side time of each compute pass, from timestamp queries: pass i writes timestamps 2i
 * and 2i+1, a resolve copies them into a buffer, and `read` returns each pass's duration in ms.
 * Query sets hold at most 4096 queries, so a long plan spreads over several.
 */
const QUERIES_PER_SET = 4096;

export class StepTimer {
  readonly passes: number;
  readonly #sets: GPUQuerySet[] = [];
  readonly #resolved: GPUBuffer;
  readonly #readback: GPUBuffer;

  constructor(
    device: GPUDevice,
    passes: number,
  ) {
    this.passes = passes;
    const queries = 2 * passes;
    for (let first = 0; first < queries; first += QUERIES_PER_SET) {
      this.#sets.push(device.createQuerySet({ type: 'timestamp', count: Math.min(QUERIES_PER_SET, queries - first), label: 'dawnflow step timer' }));
    }
    const bytes = Math.max(8, queries * 8);
    this.#resolved = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'dawnflow step timer resolve' });
    this.#readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'dawnflow step timer readback' });
  }

  /** The `timestampWrites` of pass `i`. */
  writes(i: number): GPUComputePassTimestampWrites {
    const q = 2 * i;
    return { querySet: this.#sets[Math.floor(q / QUERIES_PER_SET)], beginningOfPassWriteIndex: q % QUERIES_PER_SET, endOfPassWriteIndex: (q % QUERIES_PER_SET) + 1 };
  }

  /** Records the copies that bring the timestamps to the host; after the passes, same encoder. */
  resolve(encoder: GPUCommandEncoder): void {
    this.#sets.forEach((set, k) => encoder.resolveQuerySet(set, 0, set.count, this.#resolved, k * QUERIES_PER_SET * 8));
    encoder.copyBufferToBuffer(this.#resolved, 0, this.#readback, 0, this.#resolved.size);
  }

  /** Each pass's duration in ms, once the submission that resolved them has finished. */
  async read(): Promise<number[]> {
    try {
      await this.#readback.mapAsync(GPUMapMode.READ);
    } catch (cause) {
      throw new DeviceError(`reading the step timestamps failed: ${String(cause)}`, { cause });
    }
    const ticks = new BigUint64Array(this.#readback.getMappedRange().slice(0));
    this.#readback.unmap();
    return Array.from({ length: this.passes }, (_, i) => {
      const begin = ticks[2 * i];
      const end = ticks[2 * i + 1];
      // Timestamps are nanoseconds; an implementation may report 0 or a backwards pair for a pass it could not time.
      return end > begin ? Number(end - begin) / 1e6 : 0;
    });
  }

  destroy(): void {
    for (const set of this.#sets) set.destroy();
    this.#resolved.destroy();
    this.#readback.destroy();
  }
}
