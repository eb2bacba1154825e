import type { DType, TensorData } from '../ir/dtype.js';
import { InputError, UsageError } from '../ir/errors.js';
import type { Plan, PlanIO, StaticPlan, StaticPlanTensor } from '../ir/plan.js';
import type { Shape } from '../ir/shape.js';
import { numel } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';

/**
 * Host data to and from device bytes: checking what a caller hands in against the plan, and
 * the few conversions between host and device layouts (bool is a byte on the host and a u32
 * word on the device; f32 may arrive as a Float64Array).
 */

/** What `run()` accepts for one tensor: a HostTensor, or a bare array of the right type. */
export type RunInput = HostTensor | TensorData;

/** What a tensor's device bytes are: its type and their count. */
export type TensorLayout = Pick<StaticPlanTensor, 'dtype' | 'shape' | 'bytes'>;

/** The host array types that hold each dtype. */
const HOST_ARRAYS: Record<DType, readonly (new (n: number) => TensorData)[]> = {
  f32: [Float32Array, Float64Array],
  f16: [Uint16Array],
  i32: [Int32Array],
  u32: [Uint32Array],
  bool: [Uint8Array],
};

export function roundUp4(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}

export function formatTensorType(t: { readonly dtype: DType; readonly shape: Shape }): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}

/**
 * Checks `value` against the plan tensor and returns the bytes to upload: a view over a plain
 * ArrayBuffer (never shared: dawn.node's writeBuffer crashes on SharedArrayBuffer views) whose
 * length is a multiple of 4, as writeBuffer requires. `what` names the value in errors, e.g.
 * "input 'x'".
 */
export function encodeHostData(what: string, value: unknown, t: TensorLayout): ArrayBufferView<ArrayBuffer> {
  const data = checkedData(what, value, t);
  const n = data.length;
  switch (t.dtype) {
    case 'bool': {
      const words = new Uint32Array(n);
      for (let i = 0; i < n; i++) words[i] = data[i] ? 1 : 0;
      return words;
    }
    case 'f32':
      return data instanceof Float32Array && isPlain(data) ? data : new Float32Array(data);
    case 'f16': {
      if (n % 2 === 0 && isPlain(data)) return data;
      const padded = new Uint16Array(n + (n % 2));
      padded.set(data);
      return padded;
    }
    default:
      return isPlain(data) ? data : copyOf(data);
  }
}

/** Decodes a tensor's device bytes, copying them out of `mapped` (which dies with unmap). */
export function decodeDeviceData(t: TensorLayout, mapped: ArrayBuffer, offset: number): HostTensor {
  const n = numel(t.shape);
  const end = offset + t.bytes;
  let data: TensorData;
  switch (t.dtype) {
    case 'f32':
      data = new Float32Array(mapped.slice(offset, end));
      break;
    case 'i32':
      data = new Int32Array(mapped.slice(offset, end));
      break;
    case 'u32':
      data = new Uint32Array(mapped.slice(offset, end));
      break;
    case 'f16':
      data = new Uint16Array(mapped.slice(offset, end));
      break;
    case 'bool': {
      const words = new Uint32Array(mapped, offset, n);
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = words[i] !== 0 ? 1 : 0;
      data = bytes;
      break;
    }
  }
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** The value's typed array, once it is known to match the tensor in dtype, shape and length. */
function checkedData(what: string, value: unknown, t: TensorLayout): TensorData {
  const expected = formatTensorType(t);
  const n = numel(t.shape);
  let data: unknown = value;
  if (isHostTensorLike(value)) {
    if (value.dtype !== t.dtype) throw new InputError(`${what}: expected dtype ${t.dtype}, got ${String(value.dtype)} (expected ${expected})`);
    if (!sameShape(value.shape, t.shape)) {
      throw new InputError(`${what}: expected shape [${t.shape.join(',')}], got [${Array.isArray(value.shape) ? value.shape.join(',') : String(value.shape)}] (expected ${expected})`);
    }
    data = value.data;
  }
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new InputError(`${what}: expected a HostTensor or a typed array holding ${expected}, got ${describe(data)}`);
  }
  if (!HOST_ARRAYS[t.dtype].some((ctor) => data instanceof ctor)) {
    const names = HOST_ARRAYS[t.dtype].map((c) => c.name).join(' or ');
    throw new InputError(`${what}: dtype ${t.dtype} needs a ${names}, got a ${data.constructor.name} (expected ${expected})`);
  }
  const array = data as TensorData;
  // Node 20 lacks ArrayBuffer#detached; a detached buffer reads as zero bytes long.
  if (n > 0 && array.buffer.byteLength === 0) {
    throw new InputError(`${what}: its ArrayBuffer is detached (transferred to a worker or structuredClone?)`);
  }
  if (array.length !== n) {
    throw new InputError(`${what}: expected ${n} elements (${expected}), got a ${array.constructor.name} of length ${array.length}`);
  }
  return array;
}

export interface HostTensorLike {
  readonly dtype: unknown;
  readonly shape: unknown;
  readonly data: unknown;
}

export function isHostTensorLike(value: unknown): value is HostTensorLike {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && 'dtype' in value && 'data' in value && 'shape' in value;
}

function sameShape(shape: unknown, expected: readonly number[]): boolean {
  return Array.isArray(shape) && shape.length === expected.length && shape.every((d, i) => d === expected[i]);
}

function isPlain<T extends TensorData>(data: T): data is T & ArrayBufferView<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer;
}

function copyOf(data: TensorData): ArrayBufferView<ArrayBuffer> {
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return bytes;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}

/** The plan outputs a run reads back, by name (all of them when `names` is undefined). */
export function selectOutputs(plan: Plan, names: readonly string[] | undefined): readonly PlanIO[] {
  if (names === undefined) return plan.outputs;
  return [...new Set(names)].map((name) => {
    const io = plan.outputs.find((o) => o.name === name);
    if (!io) throw new UsageError(`plan '${plan.name}': no output '${name}' (outputs: ${plan.outputs.map((o) => o.name).join(', ')})`);
    return io;
  });
}

/**
 * The inputs object, checked for names: every one the plan declares present, none it does not.
 * Returns them by name (values unchecked).
 */
export function namedInputs(plan: Plan, inputs: unknown): Readonly<Record<string, unknown>> {
  const what = `plan '${plan.name}'`;
  if (typeof inputs !== 'object' || inputs === null) throw new InputError(`${what}: inputs must be an object keyed by input name`);
  const given = inputs as Readonly<Record<string, unknown>>;
  const expected = plan.inputs.map((io) => io.name).join(', ') || 'none';
  for (const name of Object.keys(given)) {
    if (!plan.inputs.some((io) => io.name === name)) throw new InputError(`${what}: unknown input '${name}' (inputs: ${expected})`);
  }
  for (const io of plan.inputs) {
    if (given[io.name] === undefined) throw new InputError(`${what}: missing input '${io.name}' (inputs: ${expected})`);
  }
  return given;
}

/**
 * Every input of a run checked and converted before any is written, so a bad one writes nothing.
 * Inputs named in `fedOnDevice` come from device tensors and are checked by their own rule
 * (device_feeds.ts).
 */
export function checkInputs(plan: StaticPlan, inputs: unknown, fedOnDevice: ReadonlySet<string> = new Set()): { tensor: StaticPlanTensor; data: ArrayBufferView<ArrayBuffer> }[] {
  const what = `plan '${plan.name}'`;
  const given = namedInputs(plan, inputs);
  return plan.inputs.filter((io) => !fedOnDevice.has(io.name)).map((io) => {
    const tensor = plan.tensors[io.tensor];
    return { tensor, data: encodeHostData(`${what}, input '${io.name}'`, given[io.name], tensor) };
  });
}
