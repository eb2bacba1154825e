import onnxProto from 'onnx-proto';
import { ModelFormatError } from '../../ir/index.js';

/**
 * The ONNX protobuf schema (protobufjs static code bundled by `onnx-proto`) and the few helpers
 * every part of the importer needs to read it safely: int64 fields arrive as `Long` objects,
 * and protobufjs throws plain Errors on malformed bytes.
 */
// A value (the message classes) and a namespace (their types), like onnx-proto's own export.
export import onnx = onnxProto.onnx;

export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type FunctionProto = onnxProto.onnx.IFunctionProto;
export type TypeProto = onnxProto.onnx.ITypeProto;

/** ONNX TensorProto.DataType codes. */
export const OnnxType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(OnnxType).map(([k, v]) => [v, k]));

export function onnxTypeName(code: number): string {
  return TYPE_NAMES[code] ?? `type ${code}`;
}

/** What protobufjs hands back for an int64 field: a number or a Long-like object. */
export type IntLike = number | { toNumber(): number; low: number; high: number; unsigned?: boolean };

/** An int64 field as a JS number (exact below 2^53, which covers every sane dim and attribute). */
export function toInt(v: IntLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function toInts(vs: readonly IntLike[] | null | undefined): number[] {
  return (vs ?? []).map(toInt);
}

function decodeWith<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(`${what}: not a valid protobuf message (${reason.split('\n')[0]}); the file is truncated or not ONNX`, { cause: e });
  }
}

/** Decodes and sanity-checks a ModelProto; anything wrong is a ModelFormatError naming `what`. */
export function decodeModel(bytes: Uint8Array, what = 'model'): ModelProto {
  if (bytes.length === 0) throw new ModelFormatError(`${what}: the file is empty`);
  const model = decodeWith(() => onnx.ModelProto.decode(bytes), what);
  if (!model.graph) throw new ModelFormatError(`${what}: not an ONNX model (no graph in the ModelProto)`);
  if (toInt(model.irVersion) <= 0 && (model.opsetImport ?? []).length === 0) {
    throw new ModelFormatError(`${what}: not an ONNX model (no IR version and no opset import)`);
  }
  return model;
}

/** Decodes a serialized TensorProto (the backend tests' input_*.pb / output_*.pb files). */
export function decodeTensorProto(bytes: Uint8Array, what = 'tensor'): TensorProto {
  if (bytes.length === 0) throw new ModelFormatError(`${what}: the file is empty`);
  return decodeWith(() => onnx.TensorProto.decode(bytes), what);
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function encodeTensorProto(tensor: TensorProto): Uint8Array {
  return onnx.TensorProto.encode(onnx.TensorProto.create(tensor)).finish();
}
