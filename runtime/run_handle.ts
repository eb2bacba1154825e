import { DeviceError, UsageError } from '../ir/errors.js';
import type { StaticPlanTensor } from '../ir/plan.js';
import type { HostTensor } from '../ir/tensor.js';
import { type DawnDevice, type GpuErrorRecord, gpuErrorToDawnflow } from './device.js';
import type { Ticket } from './gpu_wait.js';
import { decodeDeviceData } from './host_data.js';
import type { StagingPool } from './staging_pool.js';
import type { UploadPool } from './upload_pool.js';

/**
 * The host side of one submitted run: its outputs, copied on the GPU into one staging buffer,
 * become host tensors when first read. Reading is lazy so a training loop can submit many
 * steps and only look at the loss now and then.
 */

/** One output's place in the staging buffer. */
export interface ReadbackEntry {
  readonly name: string;
  readonly tensor: StaticPlanTensor;
  readonly offset: number;
}

/** What a handle needs from the executable that made it. */
export interface ReadbackSource {
  readonly device: DawnDevice;
  readonly pool: StagingPool;
  /** Names the plan in messages. */
  readonly what: string;
  isDisposed(): boolean;
  /** Feeds an observed GPU time per submission back into the plan's estimate. */
  observed(gpuMs: number, pollMs: number | undefined): void;
}

/** The buffer a run's inputs were staged in, to recycle once the run is done. */
export interface UploadLease {
  readonly pool: UploadPool;
  readonly buffer: GPUBuffer;
}

interface Lease {
  readonly pool: StagingPool;
  readonly buffer: GPUBuffer | undefined;
  readonly upload: UploadLease | undefined;
}

// A handle dropped unread still holds its staging buffer. It can go back to the pool as is:
// any later use of it is queued after the copy this run made into it. Its upload buffer is
// mapped again, which waits for the run.
const unread = new FinalizationRegistry<Lease>(({ pool, buffer, upload }) => {
  if (buffer) pool.give(buffer);
  upload?.pool.recycle(upload.buffer);
});

export class RunHandle {
  readonly #source: ReadbackSource;
  readonly #ticket: Ticket;
  readonly #staging: GPUBuffer | undefined;
  readonly #entries: readonly ReadbackEntry[];
  readonly #captured: Promise<GpuErrorRecord | undefined> | undefined;
  readonly #upload: UploadLease | undefined;
  #result: Promise<Record<string, HostTensor>> | undefined;

  /**
   * `captured`: what the error scopes around this run's submission caught (validation and
   * out-of-memory errors), reported by the read as the typed error it maps to.
   */
  constructor(
    source: ReadbackSource,
    ticket: Ticket,
    staging: GPUBuffer | undefined,
    entries: readonly ReadbackEntry[],
    captured?: Promise<GpuErrorRecord | undefined>,
    upload?: UploadLease,
  ) {
    this.#source = source;
    this.#ticket = ticket;
    this.#staging = staging;
    this.#entries = entries;
    this.#captured = captured;
    this.#upload = upload;
    if (staging || upload) unread.register(this, { pool: source.pool, buffer: staging, upload }, this);
  }

  /** The outputs this run copied back, in plan order. */
  get outputNames(): readonly string[] {
    return this.#entries.map((e) => e.name);
  }

  /** All requested outputs; with none requested, resolves once the run has finished. */
  read(): Promise<Record<string, HostTensor>>;
  /** One requested output. */
  read(name: string): Promise<HostTensor>;
  read(name?: string): Promise<Record<string, HostTensor> | HostTensor> {
    if (name !== undefined && !this.#entries.some((e) => e.name === name)) {
      const have = this.#entries.map((e) => `'${e.name}'`).join(', ') || 'none';
      return Promise.reject(new UsageError(`${this.#source.what}: output '${name}' was not requested for this run (requested: ${have})`));
    }
    this.#result ??= this.#collect().finally(() => this.#upload?.pool.recycle(this.#upload.buffer));
    return name === undefined ? this.#result : this.#result.then((all) => all[name]);
  }

  async #collect(): Promise<Record<string, HostTensor>> {
    const { device, pool, what } = this.#source;
    const staging = this.#staging;
    unread.unregister(this);
    const woke = await device.clock.sleepBefore(this.#ticket);
    // Mapping a destroyed buffer would raise a device validation error, not just reject.
    if (this.#source.isDisposed()) throw new UsageError(`${what}: disposed before this run's outputs were read`);
    const captured = await this.#captured;
    if (captured) {
      // The submission was rejected: its copies never happened, so the buffer is as it was.
      if (staging) pool.give(staging);
      throw gpuErrorToDawnflow(what, captured);
    }
    try {
      if (staging) await staging.mapAsync(GPUMapMode.READ);
      else await device.device.queue.onSubmittedWorkDone();
    } catch (cause) {
      if (this.#source.isDisposed()) throw new UsageError(`${what}: disposed before this run's outputs were read`, { cause });
      device.assertUsable(what);
      throw new DeviceError(`${what}: reading back the outputs failed: ${String(cause)}`, { cause });
    }
    const now = performance.now();
    const sample = device.clock.observe(this.#ticket, now);
    if (sample !== undefined) this.#source.observed(sample, woke === undefined ? undefined : now - woke);

    const outputs: Record<string, HostTensor> = {};
    // Zero-size outputs have no bytes to copy, and a run of only those no staging buffer.
    const mapped = staging ? staging.getMappedRange() : new ArrayBuffer(0);
    for (const e of this.#entries) outputs[e.name] = decodeDeviceData(e.tensor, mapped, e.offset);
    if (staging) {
      staging.unmap();
      pool.give(staging);
    }
    // Errors of this run's own submission were captured above; one the device raised by other
    // means (uncaptured) while this run was in flight may have spoiled it too.
    const last = device.lastError;
    if (device.errorCount > this.#ticket.errorsAtSubmit && last) {
      throw gpuErrorToDawnflow(`${what}: the device reported an error while this run was in flight`, last);
    }
    return outputs;
  }
}
