import { encodeModel, onnx, OnnxType } from '../../../compiler/onnx/proto.js';
import type { AttributeProto, FunctionProto, GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../../../compiler/onnx/proto.js';

/** Hand-built ONNX models for tests: the protobuf messages, written out plainly. */

export type AttrInput = number | string | readonly number[] | readonly string[] | TensorProto | GraphProto | { readonly floats: readonly number[] } | { readonly float: number };

function attribute(name: string, v: AttrInput): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    if ((v as number[]).every(Number.isInteger)) return { name, type: T.INTS, ints: [...(v as number[])] };
    return { name, type: T.FLOATS, floats: [...(v as number[])] };
  }
  if ('floats' in (v as object)) return { name, type: T.FLOATS, floats: [...(v as { floats: number[] }).floats] };
  if ('float' in (v as object)) return { name, type: T.FLOAT, f: (v as { float: number }).float };
  if ('node' in (v as object)) return { name, type: T.GRAPH, g: v as GraphProto };
  return { name, type: T.TENSOR, t: v as TensorProto };
}

export function node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrInput> = {}, name = outputs[0]): NodeProto {
  return { opType, input: [...inputs], output: [...outputs], name, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) };
}

/** A tensor-typed value; dims are sizes or dim_param names; `null` shape omits the shape. */
export function valueInfo(name: string, elemType: number, shape: readonly (number | string)[] | null): ValueInfoProto {
  const tensorType = shape === null ? { elemType } : { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } };
  return { name, type: { tensorType } };
}

/** An initializer of any numeric ONNX type from exact numbers, stored as little-endian raw_data. */
export function tensor(name: string, shape: readonly number[], values: ArrayLike<number>, type: number = OnnxType.FLOAT): TensorProto {
  const sizes: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 11: 8, 12: 4, 13: 8 };
  const size = sizes[type];
  const raw = new Uint8Array(values.length * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const at = i * size;
    if (type === OnnxType.FLOAT) view.setFloat32(at, v, true);
    else if (type === OnnxType.DOUBLE) view.setFloat64(at, v, true);
    else if (type === OnnxType.INT64) view.setBigInt64(at, BigInt(v), true);
    else if (type === OnnxType.UINT64) view.setBigUint64(at, BigInt(v), true);
    else if (type === OnnxType.INT32) view.setInt32(at, v, true);
    else if (type === OnnxType.UINT32) view.setUint32(at, v, true);
    else if (type === OnnxType.INT16) view.setInt16(at, v, true);
    else if (type === OnnxType.UINT16) view.setUint16(at, v, true);
    else if (type === OnnxType.INT8) view.setInt8(at, v);
    else view.setUint8(at, v);
  }
  return { name, dataType: type, dims: [...shape], rawData: raw };
}

export const int64s = (name: string, values: readonly number[], shape: readonly number[] = [values.length]) => tensor(name, shape, values, OnnxType.INT64);

export interface ModelSpec {
  readonly nodes: readonly NodeProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly initializers?: readonly TensorProto[];
  /** The graph's value_info entries (declared types of intermediate values). */
  readonly valueInfo?: readonly ValueInfoProto[];
  readonly opset?: number;
  readonly name?: string;
  readonly functions?: readonly FunctionProto[];
  readonly extraOpsets?: Readonly<Record<string, number>>;
}

export function graph(spec: Omit<ModelSpec, 'opset'>): GraphProto {
  return { name: spec.name ?? 'test', node: [...spec.nodes], input: [...spec.inputs], output: [...spec.outputs], initializer: [...(spec.initializers ?? [])], valueInfo: [...(spec.valueInfo ?? [])] };
}

export function modelBytes(spec: ModelSpec): Uint8Array {
  const opsetImport = [{ domain: '', version: spec.opset ?? 17 }, ...Object.entries(spec.extraOpsets ?? {}).map(([domain, version]) => ({ domain, version }))];
  return encodeModel({ irVersion: 8, producerName: 'dawnflow-tests', opsetImport, graph: graph(spec), functions: [...(spec.functions ?? [])] });
}

export const F32 = OnnxType.FLOAT;
export const I64 = OnnxType.INT64;
export const BOOL = OnnxType.BOOL;
