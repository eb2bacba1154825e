import type { DType } from '../ir/dtype.js';
import { DeviceError, InputError, UsageError } from '../ir/errors.js';
import { deviceBytes } from '../ir/plan.js';
import type { StaticShape } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';
import type { DawnDevice } from './device.js';
import { decodeDeviceData, encodeHostData, formatTensorType, roundUp4 } from './host_data.js';

/**
 * A tensor kept in a GPU buffer of its own, outside any plan: a run can take it as an input and
 * leave an output in it (`RunOptions.into`), each a copy on the GPU inside the run's own
 * submission, so values that go from one run to the next (a decoder's key/value cache) never
 * cross to the host. Its buffer has a fixed capacity; its shape is what was last put in it.
 */
export class DeviceTensor {
  readonly device: DawnDevice;
  readonly buffer: GPUBuffer;
  /** Bytes the buffer can hold. */
  readonly capacity: number;
  readonly dtype: DType;
  readonly label: string;
  #shape: StaticShape;
  #disposed = false;

  private constructor(device: DawnDevice, buffer: GPUBuffer, capacity: number, dtype: DType, shape: StaticShape, label: string) {
    this.device = device;
    this.buffer = buffer;
    this.capacity = capacity;
    this.dtype = dtype;
    this.#shape = [...shape];
    this.label = label;
  }

  /**
   * A tensor of `dtype` and `shape` (zeros), with room for `capacityShape` (default: the shape),
   * so that later values up to that size fit in the same buffer.
   */
  static create(device: DawnDevice, dtype: DType, shape: StaticShape, options: { readonly capacityShape?: StaticShape; readonly label?: string } = {}): DeviceTensor {
    const label = options.label ?? 'device tensor';
    const capacity = Math.max(deviceBytes(dtype, options.capacityShape ?? shape), deviceBytes(dtype, shape));
    device.assertUsable(label);
    // GPUBufferUsage is a global only once a device exists, hence read here.
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffer = device.ledger.create({ size: Math.max(4, roundUp4(capacity)), usage, label });
    return new DeviceTensor(device, buffer, capacity, dtype, shape, label);
  }

  get shape(): StaticShape {
    return this.#shape;
  }

  /** Bytes of the current value. */
  get bytes(): number {
    return deviceBytes(this.dtype, this.#shape);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  toString(): string {
    return `device tensor '${this.label}' ${formatTensorType({ dtype: this.dtype, shape: this.#shape })}`;
  }

  /** Throws unless this tensor can take part in work on `device`. */
  assertUsableOn(device: DawnDevice, where: string): void {
    if (this.#disposed) throw new UsageError(`${where}: ${this} was disposed`);
    if (device !== this.device) throw new UsageError(`${where}: ${this} lives on another device`);
  }

  /**
   * Takes `shape` as the shape of what the buffer now holds (a run's copy into it, or the
   * caller's own work); the bytes are not touched. Throws when it does not fit.
   */
  holdShape(shape: StaticShape, where: string): void {
    const bytes = deviceBytes(this.dtype, shape);
    if (bytes > this.capacity) throw new InputError(`${where}: ${this.dtype}[${shape.join(',')}] (${bytes} bytes) does not fit ${this} (capacity ${this.capacity} bytes)`);
    this.#shape = [...shape];
  }

  /** Overwrites the value (queued after the work submitted so far); the shape may change within the capacity. */
  write(value: HostTensor): void {
    const where = `writing ${this}`;
    this.assertUsableOn(this.device, where);
    if (value.dtype !== this.dtype) throw new InputError(`${where}: got dtype ${value.dtype}`);
    const shape = [...value.shape];
    const data = encodeHostData(where, value, { dtype: this.dtype, shape, bytes: deviceBytes(this.dtype, shape) });
    this.holdShape(shape, where);
    if (data.byteLength > 0) this.device.device.queue.writeBuffer(this.buffer, 0, data);
  }

  /** The value after the work submitted so far. */
  async read(): Promise<HostTensor> {
    const where = `reading ${this}`;
    this.assertUsableOn(this.device, where);
    this.device.assertUsable(where);
    const shape = [...this.#shape];
    const bytes = roundUp4(deviceBytes(this.dtype, shape));
    if (bytes === 0) return decodeDeviceData({ dtype: this.dtype, shape, bytes: 0 }, new ArrayBuffer(0), 0);
    const gpu = this.device.device;
    const staging = this.device.ledger.create({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${this.label} readback` });
    try {
      const encoder = gpu.createCommandEncoder();
      encoder.copyBufferToBuffer(this.buffer, 0, staging, 0, bytes);
      gpu.queue.submit([encoder.finish()]);
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (cause) {
        this.device.assertUsable(where);
        throw new DeviceError(`${where}: ${String(cause)}`, { cause });
      }
      const value = decodeDeviceData({ dtype: this.dtype, shape, bytes: deviceBytes(this.dtype, shape) }, staging.getMappedRange(), 0);
      staging.unmap();
      return value;
    } finally {
      this.device.ledger.destroy(staging);
    }
  }

  /** Frees the buffer; using the tensor afterwards is a UsageError. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.device.ledger.destroy(this.buffer);
  }
}
