import { halfToNumber } from '../../ir/dtype.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { DType, HostTensor } from '../../ir/index.js';
import { allocHost, DTypeError, ModelFormatError, UnsupportedOpError } from '../../ir/index.js';
import { dtypeOfOnnx, dtypeRange, onnxTypeOf } from './dtypes.js';
import type { TensorProto } from './proto.js';
import { OnnxType, onnxTypeName, toInt } from './proto.js';

/** No tensor may claim more elements than this: guards allocations against absurd dims. */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** A TensorProto converted to a host tensor of dawnflow's dtype. */
export interface DecodedTensor {
  readonly name: string;
  /** The ONNX element type it was stored as. */
  readonly onnxType: number;
  readonly tensor: HostTensor;
  /**
   * Present when an int64/uint64 tensor holds values outside the 32-bit dtype: the exact values
   * (to 2^53), while `tensor` holds them saturated. Parameters such as Slice's `ends` =
   * INT64_MAX read these; using such a tensor as data is a DTypeError naming it.
   */
  readonly wide?: Float64Array;
}

export interface TensorDecodeOptions {
  /** Directory external data locations are relative to (the model's directory). */
  readonly baseDir?: string;
  /** What the tensor is, for messages: "initializer 'w'", "input file x.pb". */
  readonly what?: string;
}

const BYTES: Partial<Record<number, number>> = {
  [OnnxType.FLOAT]: 4,
  [OnnxType.UINT8]: 1,
  [OnnxType.INT8]: 1,
  [OnnxType.UINT16]: 2,
  [OnnxType.INT16]: 2,
  [OnnxType.INT32]: 4,
  [OnnxType.INT64]: 8,
  [OnnxType.BOOL]: 1,
  [OnnxType.FLOAT16]: 2,
  [OnnxType.DOUBLE]: 8,
  [OnnxType.UINT32]: 4,
  [OnnxType.UINT64]: 8,
  [OnnxType.BFLOAT16]: 2,
};



function bfloat16ToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (bits & 0xffff) << 16);
  return view.getFloat32(0);
}

/** Validated dims of a TensorProto and its element count. */
export function tensorDims(proto: TensorProto, what: string): { shape: number[]; count: number } {
  const shape = (proto.dims ?? []).map(toInt);
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ModelFormatError(`${what}: invalid dim ${d} in [${shape.join(',')}]`);
    count *= d;
    if (count > MAX_ELEMENTS) throw new ModelFormatError(`${what}: dims [${shape.join(',')}] hold more than ${MAX_ELEMENTS} elements`);
  }
  return { shape, count };
}

function readExternal(proto: TensorProto, byteLength: number, options: TensorDecodeOptions, what: string): Uint8Array {
  const entries = new Map((proto.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new ModelFormatError(`${what}: external data without a location`);
  if (options.baseDir === undefined) throw new ModelFormatError(`${what}: stored in external file '${location}', but the model's directory is unknown (pass baseDir)`);
  const base = resolve(options.baseDir);
  const file = resolve(base, location);
  const rel = relative(base, file);
  if (isAbsolute(location) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ModelFormatError(`${what}: external data location '${location}' lies outside the model's directory`);
  }
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : byteLength;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new ModelFormatError(`${what}: invalid external data offset/length (${entries.get('offset')}, ${entries.get('length')})`);
  }
  if (length !== byteLength) throw new ModelFormatError(`${what}: external data has ${length} bytes, its dims need ${byteLength}`);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new ModelFormatError(`${what}: cannot open external data file '${location}' (${(e as NodeJS.ErrnoException).code ?? e})`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    if (offset + length > size) throw new ModelFormatError(`${what}: external data '${location}' has ${size} bytes, needs ${offset + length}`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n <= 0) throw new ModelFormatError(`${what}: external data '${location}' ended early`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reads little-endian raw bytes as numbers (int64 via BigInt, exact to 2^53). */
function readRaw(bytes: Uint8Array, type: number, count: number): Float64Array | Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === OnnxType.FLOAT) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case OnnxType.UINT8:
      case OnnxType.BOOL:
        out[i] = view.getUint8(i);
        break;
      case OnnxType.INT8:
        out[i] = view.getInt8(i);
        break;
      case OnnxType.UINT16:
        out[i] = view.getUint16(2 * i, true);
        break;
      case OnnxType.INT16:
        out[i] = view.getInt16(2 * i, true);
        break;
      case OnnxType.INT32:
        out[i] = view.getInt32(4 * i, true);
        break;
      case OnnxType.UINT32:
        out[i] = view.getUint32(4 * i, true);
        break;
      case OnnxType.INT64:
        out[i] = Number(view.getBigInt64(8 * i, true));
        break;
      case OnnxType.UINT64:
        out[i] = Number(view.getBigUint64(8 * i, true));
        break;
      case OnnxType.DOUBLE:
        out[i] = view.getFloat64(8 * i, true);
        break;
      case OnnxType.FLOAT16:
        out[i] = halfToNumber(view.getUint16(2 * i, true));
        break;
      case OnnxType.BFLOAT16:
        out[i] = bfloat16ToNumber(view.getUint16(2 * i, true));
        break;
      default:
        throw new Error(`readRaw: type ${type}`);
    }
  }
  return out;
}

/** The typed repeated field a type is stored in when raw_data is absent. */
function typedField(proto: TensorProto, type: number): ArrayLike<number> {
  switch (type) {
    case OnnxType.FLOAT:
      return proto.floatData ?? [];
    case OnnxType.DOUBLE:
      return proto.doubleData ?? [];
    case OnnxType.INT64:
      return (proto.int64Data ?? []).map(toInt);
    case OnnxType.UINT32:
    case OnnxType.UINT64:
      return (proto.uint64Data ?? []).map((v) => (typeof v === 'number' ? v : Number(BigInt.asUintN(64, (BigInt(v.high) << 32n) | BigInt(v.low >>> 0)))));
    case OnnxType.FLOAT16:
      return (proto.int32Data ?? []).map(halfToNumber);
    case OnnxType.BFLOAT16:
      return (proto.int32Data ?? []).map(bfloat16ToNumber);
    default:
      return proto.int32Data ?? [];
  }
}

/** Converts a TensorProto to a HostTensor (see dtypes.ts for the type mapping). */
export function decodeTensor(proto: TensorProto, options: TensorDecodeOptions = {}): DecodedTensor {
  const name = proto.name ?? '';
  const what = options.what ?? `tensor '${name}'`;
  const type = proto.dataType ?? OnnxType.UNDEFINED;
  if (type === OnnxType.STRING || type === OnnxType.COMPLEX64 || type === OnnxType.COMPLEX128 || BYTES[type] === undefined) {
    throw new UnsupportedOpError(`${what}: element type ${onnxTypeName(type)} is not supported`);
  }
  const dtype = dtypeOfOnnx(type, what);
  const { shape, count } = tensorDims(proto, what);
  const byteLength = count * BYTES[type]!;

  let values: ArrayLike<number>;
  const external = proto.dataLocation === 1;
  if (external) {
    values = readRaw(readExternal(proto, byteLength, options, what), type, count);
  } else if (proto.rawData && proto.rawData.length > 0) {
    if (proto.rawData.length !== byteLength) {
      throw new ModelFormatError(`${what}: raw_data has ${proto.rawData.length} bytes, dims [${shape.join(',')}] of ${onnxTypeName(type)} need ${byteLength}`);
    }
    values = readRaw(proto.rawData, type, count);
  } else {
    values = typedField(proto, type);
    if (values.length !== count) {
      throw new ModelFormatError(`${what}: holds ${values.length} values, dims [${shape.join(',')}] need ${count}`);
    }
  }
  return convertValues(name, type, dtype, shape, values);
}

function convertValues(name: string, onnxType: number, dtype: DType, shape: number[], values: ArrayLike<number>): DecodedTensor {
  const count = values.length;
  if (dtype === 'f32' && values instanceof Float32Array) return { name, onnxType, tensor: { dtype, shape, data: values } };
  const data = allocHost(dtype, count);
  const range = dtypeRange(dtype);
  let wide: Float64Array | undefined;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (dtype === 'bool') data[i] = v !== 0 ? 1 : 0;
    else if (range && (v < range[0] || v > range[1])) {
      wide ??= Float64Array.from(values);
      data[i] = v < range[0] ? range[0] : range[1];
    } else data[i] = v;
  }
  return wide ? { name, onnxType, tensor: { dtype, shape, data }, wide } : { name, onnxType, tensor: { dtype, shape, data } };
}

/** The error for a tensor whose values do not fit the device's 32-bit integers. */
export function rangeError(what: string, t: DecodedTensor): DTypeError {
  const range = dtypeRange(t.tensor.dtype)!;
  const bad = Array.from(t.wide!).find((v) => v < range[0] || v > range[1]);
  return new DTypeError(`${what}: ${onnxTypeName(t.onnxType)} value ${bad} does not fit in ${t.tensor.dtype} (the device computes in 32 bits)`);
}

/**
 * A HostTensor as a TensorProto (raw_data, little-endian). `onnxType` picks a wider ONNX type
 * for integers (INT64) or DOUBLE for floats.
 */
export function encodeTensor(t: HostTensor, name = '', onnxType = onnxTypeOf(t.dtype)): TensorProto {
  const count = t.data.length;
  const bytes = new Uint8Array(count * (BYTES[onnxType] ?? 4));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) {
    const v = Number(t.data[i]);
    switch (onnxType) {
      case OnnxType.FLOAT:
        view.setFloat32(4 * i, v, true);
        break;
      case OnnxType.DOUBLE:
        view.setFloat64(8 * i, v, true);
        break;
      case OnnxType.INT32:
        view.setInt32(4 * i, v, true);
        break;
      case OnnxType.UINT32:
        view.setUint32(4 * i, v, true);
        break;
      case OnnxType.INT64:
        view.setBigInt64(8 * i, BigInt(Math.trunc(v)), true);
        break;
      case OnnxType.UINT64:
        view.setBigUint64(8 * i, BigInt(Math.trunc(v)), true);
        break;
      case OnnxType.BOOL:
      case OnnxType.UINT8:
        view.setUint8(i, v);
        break;
      case OnnxType.INT8:
        view.setInt8(i, v);
        break;
      case OnnxType.UINT16:
        view.setUint16(2 * i, v, true);
        break;
      case OnnxType.INT16:
        view.setInt16(2 * i, v, true);
        break;
      default:
        throw new UnsupportedOpError(`tensor '${name}': cannot write element type ${onnxTypeName(onnxType)}`);
    }
  }
  return { name, dataType: onnxType, dims: [...t.shape], rawData: bytes };
}
