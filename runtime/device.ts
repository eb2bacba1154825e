import { DeviceError, OutOfMemoryError, UsageError } from '../ir/errors.js';
import { BufferLedger } from './buffer_ledger.js';
import { QueueClock } from './gpu_wait.js';
import { gpuPlatform } from './platform/gpu.js';

/**
 * Device acquisition. The GPU object comes from the platform (platform/gpu.ts: Dawn in Node,
 * navigator.gpu in the browser bundle); by default one device per process (or page) too,
 * shared by every executable (a lavapipe device per process is the norm, and a second one only
 * splits the same cores).
 */

/** Features dawnflow can use when the adapter has them; asking costs nothing. */
const USEFUL_FEATURES = ['shader-f16', 'timestamp-query', 'subgroups'] as const;
/** Uncaptured errors kept for messages; the count keeps growing past it. */
const ERRORS_KEPT = 8;

export interface DeviceOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Features needed beyond the useful ones requested anyway; a missing one is a DeviceError. */
  readonly requiredFeatures?: readonly string[];
  /**
   * Useful features not to request even where the adapter has them: a device like a lesser
   * adapter's, to check that a plan or a code path works without them (no timestamp queries,
   * no subgroups, no f16).
   */
  readonly withoutFeatures?: readonly string[];
}

export type DeviceLimits = Readonly<Record<string, number>>;

/** The kinds of GPU error WebGPU reports; 'internal' covers everything else. */
export type GpuErrorKind = 'validation' | 'out-of-memory' | 'internal';

/** One error the device raised, with the step or kernel its labels name where Dawn gives them. */
export interface GpuErrorRecord {
  readonly kind: GpuErrorKind;
  readonly message: string;
}

/** How long to wait for `device.lost` to settle once an operation has failed as if it were lost. */
const LOSS_SETTLE_MS = 200;

export class DawnDevice {
  readonly device: GPUDevice;
  /** "vendor / architecture / device / description" of the adapter. */
  readonly adapterDescription: string;
  /** The device's limits: the adapter's real ones, requested in full. */
  readonly limits: DeviceLimits;
  readonly features: ReadonlySet<string>;
  /** Every buffer the runtime allocates on this device is counted here. */
  readonly ledger: BufferLedger;
  /** The queue's timing model, shared by every executable on the device. */
  readonly clock = new QueueClock();
  /** Kept reachable for as long as the device, like the instance (see `gpu`). */
  readonly adapter: GPUAdapter;
  /** What this device was requested with, so a replacement after a loss gets the same. */
  readonly options: DeviceOptions;
  #lost: GPUDeviceLostInfo | undefined;
  #replacement: Promise<DawnDevice> | undefined;
  #errorCount = 0;
  readonly #errors: GpuErrorRecord[] = [];

  constructor(adapter: GPUAdapter, device: GPUDevice, adapterDescription: string, options: DeviceOptions = {}) {
    this.adapter = adapter;
    this.options = options;
    this.device = device;
    this.adapterDescription = adapterDescription;
    this.features = new Set(device.features);
    // Not a WebGPU limit, but what kernels sharing loads through subgroup broadcasts rely on.
    const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number };
    this.limits = { ...numericLimits(device.limits), subgroupMinSize: this.features.has('subgroups') ? (info.subgroupMinSize ?? 0) : 0 };
    this.ledger = new BufferLedger(device);
    void device.lost.then((info) => {
      this.#lost = info;
    });
    // Without a listener Dawn prints these; the runtime reports them where they matter instead.
    device.addEventListener('uncapturederror', (event) => this.recordError((event as GPUUncapturedErrorEvent).error));
  }

  /**
   * Counts an error the device raised: uncaptured ones arrive here by themselves, and the
   * runtime hands over the ones its error scopes caught, so that a run submitted without
   * being read back still leaves a trace the next read reports.
   */
  recordError(error: GPUError): GpuErrorRecord {
    const record: GpuErrorRecord = { kind: errorKind(error), message: error.message };
    this.#errorCount++;
    this.#errors.push(record);
    if (this.#errors.length > ERRORS_KEPT) this.#errors.shift();
    return record;
  }

  get allocatedBytes(): number {
    return this.ledger.bytes;
  }

  /** Why the device was lost, or undefined while it is usable. */
  get lostInfo(): GPUDeviceLostInfo | undefined {
    return this.#lost;
  }

  /** How many uncaptured errors the device has raised so far. */
  get errorCount(): number {
    return this.#errorCount;
  }

  /** The most recent uncaptured error messages, oldest first. */
  get recentErrors(): readonly string[] {
    return this.#errors.map((e) => e.message);
  }

  /** The most recent error, with its kind. */
  get lastError(): GpuErrorRecord | undefined {
    return this.#errors.at(-1);
  }

  /** Throws a DeviceError when the device can no longer run work. */
  assertUsable(where: string): void {
    const lost = this.#lost;
    if (lost) throw new DeviceError(`${where}: the GPU device was lost (${lost.reason || 'unknown'}): ${firstLine(lost.message)}`);
  }

  /**
   * Whether the device is lost, waiting briefly for the news: Dawn resolves `device.lost` a
   * little after the operations on a lost device start failing.
   */
  async settleLoss(ms = LOSS_SETTLE_MS): Promise<boolean> {
    if (this.#lost) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.device.lost, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    // The lost handler registered in the constructor ran first: it was attached earlier.
    return this.#lost !== undefined;
  }

  /**
   * The device that takes over once this one is lost: acquired on first call with the same
   * options, then shared by every caller (every executable that lived on this device moves to
   * the same new one). Chains when the replacement is lost too.
   */
  replacement(): Promise<DawnDevice> {
    if (!this.#lost) return Promise.resolve(this);
    if (!this.#replacement) {
      const pending = acquireDevice(this.options);
      this.#replacement = pending;
      // A failed acquisition is not cached: the next caller tries again.
      pending.catch(() => {
        if (this.#replacement === pending) this.#replacement = undefined;
      });
    }
    return this.#replacement.then((next) => (next.#lost ? next.replacement() : next));
  }

  destroy(): void {
    this.device.destroy();
  }
}

/** Requests the adapter, then a device with the adapter's real limits and useful features. */
export async function acquireDevice(options: DeviceOptions = {}): Promise<DawnDevice> {
  const adapter = await gpuPlatform
    .requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined)
    .catch((cause: unknown) => {
      if (cause instanceof DeviceError) throw cause; // the platform's own account (no WebGPU here)
      throw new DeviceError(`requesting a WebGPU adapter failed: ${String(cause)}`, { cause });
    });
  if (!adapter) {
    throw new DeviceError(`no WebGPU adapter found: ${gpuPlatform.noAdapterHint}`);
  }
  const description = describeAdapter(adapter.info);
  const missing = (options.requiredFeatures ?? []).filter((f) => !adapter.features.has(f));
  if (missing.length > 0) {
    throw new DeviceError(`the adapter (${description}) lacks the required feature(s) ${missing.join(', ')}`);
  }
  const without = new Set(options.withoutFeatures ?? []);
  const clash = (options.requiredFeatures ?? []).find((f) => without.has(f));
  if (clash) throw new UsageError(`feature '${clash}' is both required and excluded (withoutFeatures)`);
  const features = new Set<string>([...(options.requiredFeatures ?? []), ...USEFUL_FEATURES.filter((f) => adapter.features.has(f) && !without.has(f))]);
  try {
    const device = await adapter.requestDevice({
      // The defaults are far below what the adapter has (e.g. maxBufferSize 256 MiB vs 4 GiB).
      requiredLimits: numericLimits(adapter.limits),
      requiredFeatures: [...features] as GPUFeatureName[],
      label: 'dawnflow',
    });
    return new DawnDevice(adapter, device, description, options);
  } catch (cause) {
    throw new DeviceError(`creating a device on ${description} failed: ${firstLine(String(cause))}`, { cause });
  }
}

let defaultDevice: Promise<DawnDevice> | undefined;

/**
 * The process's shared device, acquired on first use. Once it is lost, its replacement (the
 * one executables recovering from the loss move to) becomes the default.
 */
export function getDefaultDevice(): Promise<DawnDevice> {
  if (!defaultDevice) {
    const pending = acquireDevice();
    defaultDevice = pending;
    pending.catch(() => {
      if (defaultDevice === pending) defaultDevice = undefined;
    });
    return pending;
  }
  const current = defaultDevice;
  return current.then((d) => {
    if (!d.lostInfo) return d;
    const next = d.replacement();
    if (defaultDevice === current) defaultDevice = next;
    return next;
  });
}

/**
 * A GPU error as the typed error of dawnflow: out-of-memory as OutOfMemoryError, the rest as
 * DeviceError. `where` names the plan; the message keeps Dawn's first line and the label of
 * the step or kernel Dawn names further down, since the first line seldom does.
 */
export function gpuErrorToDawnflow(where: string, record: GpuErrorRecord): DeviceError | OutOfMemoryError {
  const label = namedObject(record.message);
  const text = `${where}: ${firstLine(record.message)}${label && !firstLine(record.message).includes(label) ? ` (in ${label})` : ''}`;
  return record.kind === 'out-of-memory' ? new OutOfMemoryError(text) : new DeviceError(text);
}

/** The most specific labelled object in a Dawn message: a step's bind group, else anything labelled. */
function namedObject(message: string): string | undefined {
  const labelled = [...message.matchAll(/\[(\w+) "+([^"]+)"+\]/g)].map((m) => ({ kind: m[1], label: m[2] }));
  const step = labelled.find((l) => / step \d+ /.test(l.label));
  const pick = step ?? labelled.find((l) => l.kind !== 'Device');
  return pick ? `${pick.kind} "${pick.label}"` : undefined;
}

/**
 * Pops the two scopes the runtime pushes around a submission (out-of-memory first, validation
 * on top). What they caught is also counted on the device, so a run that is never read back
 * still leaves a trace for the next read.
 */
export function popCapturedErrors(dev: DawnDevice): Promise<GpuErrorRecord | undefined> {
  const gpu = dev.device;
  const validation = gpu.popErrorScope().catch(() => null);
  const oom = gpu.popErrorScope().catch(() => null);
  return Promise.all([oom, validation]).then(([o, v]) => {
    const error = o ?? v;
    return error ? dev.recordError(error) : undefined;
  });
}

function errorKind(error: GPUError): GpuErrorKind {
  if (typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError) return 'out-of-memory';
  if (typeof GPUValidationError !== 'undefined' && error instanceof GPUValidationError) return 'validation';
  return 'internal';
}

function numericLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // Dawn exposes the limits as prototype getters: for..in sees them, Object.keys does not.
  for (const name in limits) {
    const value: unknown = (limits as unknown as Record<string, unknown>)[name];
    if (typeof value === 'number') out[name] = value;
  }
  return out;
}

function describeAdapter(info: GPUAdapterInfo | undefined): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => !!s);
  return parts.length > 0 ? parts.join(' / ') : 'unknown adapter';
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
