import type { Attrs, Dim, DType, Graph, HostTensor, Value } from '../../ir/index.js';
import { formatShape, GraphBuilder, UnsupportedOpError } from '../../ir/index.js';
import type { FoldLimits } from '../passes/evaluate.js';
import { foldOp } from '../passes/evaluate.js';
import type { NodeAttributes } from './attributes.js';
import type { GraphProto } from './proto.js';

/** One ONNX node as a handler sees it: inputs already resolved to IR values. */
export interface OnnxNodeView {
  readonly opType: string;
  /** '' for the default ai.onnx domain. */
  readonly domain: string;
  readonly name: string;
  /** "Conv 'conv1'": the prefix of every message about this node. */
  readonly where: string;
  /** The opset version of the node's domain. */
  readonly opset: number;
  /** One per ONNX input; undefined where an optional input is omitted (''). */
  readonly inputs: readonly (Value | undefined)[];
  /** The ONNX output names ('' for an omitted optional output). */
  readonly outputs: readonly string[];
  readonly attrs: NodeAttributes;
}

/** Maps an ONNX node to IR values, one per ONNX output (undefined for outputs it cannot give). */
export type OnnxOpHandler = (node: OnnxNodeView, ctx: ImportContext) => (Value | undefined)[];

/**
 * An op needs a value at import time that is computed at run time. `valueName` names the
 * value (a graph input's ONNX name when it is one): callers that know that input's data can
 * import again with it bound as a constant.
 */
export class ConstantRequiredError extends UnsupportedOpError {
  constructor(
    message: string,
    readonly valueName: string,
  ) {
    super(message);
  }
}

/**
 * How an import for training differs from one for inference (`OnnxImportOptions.training`):
 * BatchNormalization nodes may use batch statistics and update their running statistics (which
 * must then be graph states), and Dropout draws its masks from the run's random key.
 */
export interface TrainingImport {
  /** Whether this BatchNormalization node normalizes with batch statistics. */
  readonly batchNormTraining: (node: OnnxNodeView) => boolean;
  /** The u32[2] key of the run's random streams (a graph input the importer adds when first asked). */
  randomKey(): Value;
  /** A distinct stream per random op. */
  nextSalt(): number;
}

/** The name of the random-key input a training import adds for Dropout. */
export const RANDOM_KEY_INPUT = 'dawnflow.random_key';

/** Results larger than this stay as nodes (a fill of zeros is cheaper on the device than uploaded). */
const IMPORT_FOLD_LIMITS: FoldLimits = { maxElements: 1 << 22 };
/**
 * An import that expands past this many IR values (nodes and constants) is refused: an unrolled
 * recurrence or loop with an absurd trip count would otherwise build for minutes and exhaust
 * the heap (found by the reliability fuzzer: GRU with a sequence of 2^31 steps).
 */
export const MAX_IMPORTED_VALUES = 100_000;

/**
 * The state of one import: the graph being built, which values are constants (and their
 * int64-exact values), and shape values known only symbolically. Every IR op goes through
 * `op()`/`apply()`, which evaluates it right away (passes/evaluate.ts, the constant evaluator
 * foldConstants uses too) when all its inputs are constants: that is how Shape → Gather →
 * Concat → Reshape chains fold away.
 */
export class ImportContext {
  readonly b: GraphBuilder;
  /** int64 constants whose values do not fit i32: exact values (the tensor holds them saturated). */
  readonly wide = new Map<Value, Float64Array>();
  /** Where each constant came from (an initializer, a Constant node), for range errors. */
  readonly origin = new Map<Value, string>();
  /** The ONNX element type of inputs and constants (QuantizeLinear's output type is its zero point's). */
  readonly onnxTypes = new Map<Value, number>();
  /** 1-D i32 values known element by element as dims (Shape of a symbolic input), not computed. */
  readonly shapeValues = new Map<Value, Dim[]>();
  /**
   * Imports a subgraph (If branches, Loop and Scan bodies) in a scope nested in the current
   * one, its graph inputs bound to `inputs`; returns its outputs. Set by the importer.
   */
  importSubgraph: (graph: GraphProto, where: string, inputs?: readonly Value[]) => Value[] = () => {
    throw new Error('importSubgraph is not set');
  };
  /** Set for an import for training (see TrainingImport); undefined for inference. */
  training: TrainingImport | undefined;
  #prefix = '';
  #count = 0;
  #constants = 0;

  constructor(name: string) {
    this.b = new GraphBuilder(name);
  }

  get graph(): Graph {
    return this.b.graph;
  }

  /** Names the IR nodes made for one ONNX node after it. */
  beginNode(name: string): void {
    this.#prefix = name;
    this.#count = 0;
    this.#constants = 0;
  }

  #name(op: string): string {
    return this.#count++ === 0 ? this.#prefix : `${this.#prefix}/${op}_${this.#count - 1}`;
  }

  constant(t: HostTensor, name?: string): Value {
    return this.b.constant(t, name ?? `${this.#prefix}/const_${this.#constants++}`);
  }

  scalar(value: number, dtype: DType): Value {
    return this.constant({ dtype, shape: [], data: dtypedArray(dtype, [value]) });
  }

  vector(values: readonly number[], dtype: DType = 'i32'): Value {
    return this.constant({ dtype, shape: [values.length], data: dtypedArray(dtype, values) });
  }

  isConstant(v: Value | undefined): v is Value {
    return v !== undefined && this.graph.constants.has(v);
  }

  tensorOf(v: Value | undefined): HostTensor | undefined {
    return v === undefined ? undefined : this.graph.constants.get(v);
  }

  /** Exact numeric values of a constant (int64 values beyond i32 included), or undefined. */
  valuesOf(v: Value | undefined): number[] | undefined {
    if (v === undefined) return undefined;
    const wide = this.wide.get(v);
    if (wide) return Array.from(wide);
    const t = this.graph.constants.get(v);
    return t ? Array.from(t.data as ArrayLike<number>, Number) : undefined;
  }

  /** A constant input's values; an UnsupportedOpError when it is computed at run time. */
  constValues(node: OnnxNodeView, index: number, what: string): number[] {
    const v = node.inputs[index];
    const values = this.valuesOf(v);
    if (values === undefined) {
      const symbolic = v && this.shapeValues.get(v);
      const detail = symbolic ? ` (it is the shape ${formatShape(symbolic)}, which has symbolic dims)` : '';
      throw new ConstantRequiredError(`${node.where}: ${node.opType} requires a constant ${what} (input ${index}), computed at run time here${detail}`, v?.name ?? '');
    }
    return values;
  }

  /** A shape-like input (Reshape's shape, Expand's shape, ...) as dims: constant or symbolic. */
  dimsOf(node: OnnxNodeView, index: number, what: string): Dim[] {
    const v = node.inputs[index];
    const symbolic = v && this.shapeValues.get(v);
    if (symbolic) return [...symbolic];
    return this.constValues(node, index, what);
  }

  /**
   * Records a shape value (1-D, or a scalar dim when `scalar`): a constant when every dim is
   * static, else a value known only symbolically, which ops needing shapes read via dimsOf.
   */
  shapeValue(dims: readonly Dim[], scalar = false): Value {
    if (dims.every((d) => typeof d === 'number')) {
      return scalar ? this.scalar(dims[0] as number, 'i32') : this.vector(dims as number[]);
    }
    const v = this.graph.newValue({ dtype: 'i32', shape: scalar ? [] : [dims.length] }, `${this.#prefix}/shape`);
    this.shapeValues.set(v, [...dims]);
    return v;
  }

  /** A shape value's dims (symbolic or constant 1-D/scalar integers), or undefined. */
  knownDims(v: Value | undefined): Dim[] | undefined {
    if (!v) return undefined;
    const symbolic = this.shapeValues.get(v);
    if (symbolic) return [...symbolic];
    const t = this.graph.constants.get(v);
    if (!t || t.dtype === 'f32' || t.dtype === 'f16' || t.shape.length > 1) return undefined;
    return this.valuesOf(v);
  }

  /** Applies a single-output IR op (folded when its inputs are all constants). */
  op(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value {
    return this.apply(op, inputs, attrs)[0];
  }

  /** Applies an IR op; folds it into constants when every input is a constant. */
  apply(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value[] {
    const name = this.#name(op);
    if (this.graph.nodes.length + this.graph.constants.size >= MAX_IMPORTED_VALUES) {
      throw new UnsupportedOpError(`${op} '${name}': the model expands to more than ${MAX_IMPORTED_VALUES} operations (an unrolled recurrence or loop that long is not supported)`);
    }
    for (const v of inputs) {
      const symbolic = this.shapeValues.get(v);
      if (symbolic) {
        throw new UnsupportedOpError(`${op} '${name}': computes with the shape ${formatShape(symbolic)} of a tensor with symbolic dims; give the model's inputs static shapes`);
      }
    }
    const folded = this.#fold(op, inputs, attrs, name);
    return folded ?? this.b.apply(op, inputs, attrs, name);
  }

  #fold(op: string, inputs: readonly Value[], attrs: Attrs, name: string): Value[] | undefined {
    // int64 constants beyond i32 are held saturated: computing on them would be wrong.
    if (!inputs.every((v) => this.graph.constants.has(v) && !this.wide.has(v))) return undefined;
    const results = foldOp(op, inputs.map((v) => this.graph.constants.get(v)!), attrs, name, IMPORT_FOLD_LIMITS);
    if (!results) return undefined;
    const where = `${op} '${name}'`;
    return results.map((t, i) => {
      const v = this.constant(t, results.length === 1 ? name : `${name}:${i}`);
      this.origin.set(v, where);
      return v;
    });
  }
}

/** A host array of a dtype holding the given numbers. */
export function dtypedArray(dtype: DType, values: readonly number[]): HostTensor['data'] {
  switch (dtype) {
    case 'f32':
      return Float32Array.from(values);
    case 'i32':
      return Int32Array.from(values);
    case 'u32':
      return Uint32Array.from(values);
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'f16':
      return Uint16Array.from(values);
    default:
      return dtype satisfies never;
  }
}
