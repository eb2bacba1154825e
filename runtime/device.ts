import { create, globals } from 'webgpu';
import { DeviceError } from '../ir/errors.js';
import { BufferLedger } from './buffer_ledger.js';
import { QueueClock } from './gpu_wait.js';

/**
 * Device acquisition. One Dawn instance per process; by default one device per process too,
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
}

export type DeviceLimits = Readonly<Record<string, number>>;

/**
 * Held for the life of the process on purpose: when dawn.node's GPU object is garbage-collected
 * it tears down the Dawn instance under any live device, and the next wait crashes the process
 * (segfault, or glibc futex/mutex assertions).
 */
let gpu: GPU | undefined;

/** The process's Dawn instance; also installs the WebGPU globals (GPUBufferUsage, ...) once. */
function dawn(): GPU {
  if (!gpu) {
    Object.assign(globalThis, globals);
    gpu = create([]);
  }
  return gpu;
}

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
  readonly #adapter: GPUAdapter;
  #lost: GPUDeviceLostInfo | undefined;
  #errorCount = 0;
  readonly #errors: string[] = [];

  constructor(adapter: GPUAdapter, device: GPUDevice, adapterDescription: string) {
    this.#adapter = adapter;
    this.device = device;
    this.adapterDescription = adapterDescription;
    this.limits = numericLimits(device.limits);
    this.features = new Set(device.features);
    this.ledger = new BufferLedger(device);
    void device.lost.then((info) => {
      this.#lost = info;
    });
    // Without a listener Dawn prints these; the runtime reports them where they matter instead.
    device.addEventListener('uncapturederror', (event) => {
      this.#errorCount++;
      this.#errors.push((event as GPUUncapturedErrorEvent).error.message);
      if (this.#errors.length > ERRORS_KEPT) this.#errors.shift();
    });
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
    return this.#errors;
  }

  /** Throws a DeviceError when the device can no longer run work. */
  assertUsable(where: string): void {
    const lost = this.#lost;
    if (lost) throw new DeviceError(`${where}: the GPU device was lost (${lost.reason || 'unknown'}): ${firstLine(lost.message)}`);
  }

  destroy(): void {
    this.device.destroy();
  }
}

/** Requests the adapter, then a device with the adapter's real limits and useful features. */
export async function acquireDevice(options: DeviceOptions = {}): Promise<DawnDevice> {
  const adapter = await dawn()
    .requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined)
    .catch((cause: unknown) => {
      throw new DeviceError(`requesting a WebGPU adapter failed: ${String(cause)}`, { cause });
    });
  if (!adapter) {
    throw new DeviceError('no WebGPU adapter found: run `npm run setup:webgpu` to install a Vulkan driver (Mesa lavapipe works without a GPU)');
  }
  const description = describeAdapter(adapter.info);
  const missing = (options.requiredFeatures ?? []).filter((f) => !adapter.features.has(f));
  if (missing.length > 0) {
    throw new DeviceError(`the adapter (${description}) lacks the required feature(s) ${missing.join(', ')}`);
  }
  const features = new Set<string>([...(options.requiredFeatures ?? []), ...USEFUL_FEATURES.filter((f) => adapter.features.has(f))]);
  try {
    const device = await adapter.requestDevice({
      // The defaults are far below what the adapter has (e.g. maxBufferSize 256 MiB vs 4 GiB).
      requiredLimits: numericLimits(adapter.limits),
      requiredFeatures: [...features] as GPUFeatureName[],
      label: 'dawnflow',
    });
    return new DawnDevice(adapter, device, description);
  } catch (cause) {
    throw new DeviceError(`creating a device on ${description} failed: ${firstLine(String(cause))}`, { cause });
  }
}

let defaultDevice: Promise<DawnDevice> | undefined;

/** The process's shared device, acquired on first use and again after it is lost. */
export function getDefaultDevice(): Promise<DawnDevice> {
  if (!defaultDevice) {
    const pending = acquireDevice();
    defaultDevice = pending;
    const forget = (): void => {
      if (defaultDevice === pending) defaultDevice = undefined;
    };
    pending.then((d) => d.device.lost.then(forget), forget);
  }
  return defaultDevice;
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
