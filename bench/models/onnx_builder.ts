import onnxProto from 'onnx-proto';

/**
 * A small writer of ONNX models for the benchmark's synthetic cases (matmul, conv layers, the
 * transformer block, the MLP training step). Every peer then runs the same file, and
 * onnxruntime-node's CPU provider on that file is the reference for all of them.
 */

const onnx = onnxProto.onnx;
const Attr = onnx.AttributeProto.AttributeType;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export type AttrValue = number | string | readonly number[] | { readonly floats: readonly number[] } | { readonly int: number };

/** `1` is an int attribute and `1.5` a float; `{ int: n }` / `{ floats }` force the kind. */
function attribute(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: Attr.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: Attr.INT, i: value } : { name, type: Attr.FLOAT, f: value };
  if ('int' in value) return { name, type: Attr.INT, i: value.int };
  if ('floats' in value) return { name, type: Attr.FLOATS, floats: [...value.floats] };
  return { name, type: Attr.INTS, ints: [...value] };
}

/** A value's type; a string dim is a dim_param (a dynamic dim every peer binds from its input). */
function valueInfo(name: string, shape: readonly (number | string)[], elemType: number = FLOAT): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

export class OnnxModelBuilder {
  readonly #nodes: onnxProto.onnx.INodeProto[] = [];
  readonly #initializers: onnxProto.onnx.ITensorProto[] = [];
  readonly #inputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly #outputs: onnxProto.onnx.IValueInfoProto[] = [];
  #counter = 0;

  constructor(
    readonly name: string,
    readonly opset = 17,
  ) {}

  input(name: string, shape: readonly (number | string)[]): string {
    this.#inputs.push(valueInfo(name, shape));
    return name;
  }

  output(name: string, shape: readonly (number | string)[]): void {
    this.#outputs.push(valueInfo(name, shape));
  }

  /** A float32 weight. */
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    this.#initializers.push({ name, dims: [...dims], dataType: FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return name;
  }

  /** An int64 constant (shapes, axes). */
  ints(name: string, values: readonly number[]): string {
    this.#initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: [...values] });
    return name;
  }

  /** An int64 scalar constant (Gather indices, Trilu's k). */
  intScalar(name: string, value: number): string {
    this.#initializers.push({ name, dims: [], dataType: INT64, int64Data: [value] });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    this.#initializers.push({ name, dims: [], dataType: FLOAT, floatData: [value] });
    return name;
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, outputs: number | readonly string[] = 1): string[] {
    const id = this.#counter++;
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${opType.toLowerCase()}_${id}${i ? `_${i}` : ''}`) : [...outputs];
    this.#nodes.push({
      name: `${opType.toLowerCase()}_${id}`,
      opType,
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** One node, one output. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0];
  }

  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'dawnflow-bench',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: this.name, node: this.#nodes, initializer: this.#initializers, input: this.#inputs, output: this.#outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
