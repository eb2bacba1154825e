import type { BufferLedger } from '../buffer_ledger.js';

/**
 * When each segment of a phase ran on the device: an empty compute pass before and after each
 * segment writes a timestamp at its beginning (WebGPU has no bare timestamp command), the
 * queries are resolved after the last segment, and the host reads them with the phase's end.
 * Timestamps are in the device's own clock: only differences between them mean anything.
 */

/** Milliseconds from the first segment's start, per segment. */
export interface SegmentTimes {
  readonly startsMs: readonly number[];
  readonly endsMs: readonly number[];
}

interface Timer {
  readonly set: GPUQuerySet;
  readonly resolved: GPUBuffer;
  readonly readback: GPUBuffer;
}

export class SegmentClock {
  readonly #idle = new Map<number, Timer[]>();

  constructor(
    private readonly device: GPUDevice,
    private readonly ledger: BufferLedger,
  ) {}

  /** A timing of `segments` segments: 2 timestamps each. */
  begin(segments: number): SegmentTiming {
    const count = 2 * segments;
    const timer = this.#idle.get(count)?.pop() ?? this.#create(count);
    return new SegmentTiming(timer, segments, () => {
      const list = this.#idle.get(count) ?? [];
      list.push(timer);
      this.#idle.set(count, list);
    });
  }

  #create(count: number): Timer {
    const bytes = count * 8;
    return {
      set: this.device.createQuerySet({ type: 'timestamp', count, label: 'dawnflow segment clock' }),
      resolved: this.ledger.create({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'dawnflow segment clock resolve' }),
      readback: this.ledger.create({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'dawnflow segment clock readback' }),
    };
  }
}

export class SegmentTiming {
  constructor(
    private readonly timer: Timer,
    private readonly segments: number,
    private readonly release: () => void,
  ) {}

  /** Writes timestamp `index` (2k: segment k starts, 2k+1: it ends) where the encoder is now. */
  mark(encoder: GPUCommandEncoder, index: number): void {
    encoder.beginComputePass({ timestampWrites: { querySet: this.timer.set, beginningOfPassWriteIndex: index } }).end();
  }

  /** After the last mark, same encoder: brings the timestamps to the readback buffer. */
  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.timer.set, 0, 2 * this.segments, this.timer.resolved, 0);
    encoder.copyBufferToBuffer(this.timer.resolved, 0, this.timer.readback, 0, 16 * this.segments);
  }

  /** The segments' times; undefined when the device could not give them (lost, destroyed). */
  async read(): Promise<SegmentTimes | undefined> {
    try {
      await this.timer.readback.mapAsync(GPUMapMode.READ);
    } catch {
      return undefined;
    }
    const ns = new BigUint64Array(this.timer.readback.getMappedRange().slice(0));
    this.timer.readback.unmap();
    this.release();
    const origin = ns[0];
    const ms = (i: number) => Number(ns[i] - origin) / 1e6;
    return { startsMs: Array.from({ length: this.segments }, (_, k) => ms(2 * k)), endsMs: Array.from({ length: this.segments }, (_, k) => ms(2 * k + 1)) };
  }
}
