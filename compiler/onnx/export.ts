import type { AttrValue, Attrs, DType, Graph, HostTensor, Node, Value } from '../../ir/index.js';
import { isStaticShape, UnsupportedOpError } from '../../ir/index.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import { encodeModel, onnx, OnnxType } from './proto.js';

/**
 * IR → ONNX (opset 20), so a model built with the DSL — or trained with it — runs anywhere ONNX
 * does. Constants and states become initializers (pass trained values in `states`); symbolic
 * dims become dim_params. Each IR op maps to one ONNX op, or a short fixed sequence.
 */
export const EXPORT_OPSET = 20;

export interface ExportOptions {
  /** Values for states by name (trained parameters); absent: each state's initial value. */
  readonly states?: ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>;
  readonly producerVersion?: string;
}

const ELEMENT: Record<DType, number> = { f32: OnnxType.FLOAT, f16: OnnxType.FLOAT16, i32: OnnxType.INT32, u32: OnnxType.UINT32, bool: OnnxType.BOOL };

const SAME_NAME: Record<string, string> = {
  neg: 'Neg', abs: 'Abs', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', sin: 'Sin', cos: 'Cos', tan: 'Tan',
  asin: 'Asin', acos: 'Acos', atan: 'Atan', sinh: 'Sinh', cosh: 'Cosh', asinh: 'Asinh', acosh: 'Acosh', atanh: 'Atanh',
  tanh: 'Tanh', sigmoid: 'Sigmoid', relu: 'Relu', softplus: 'Softplus', softsign: 'Softsign', erf: 'Erf', floor: 'Floor',
  ceil: 'Ceil', round: 'Round', sign: 'Sign', not: 'Not', isNaN: 'IsNaN', hardSwish: 'HardSwish', mish: 'Mish',
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', max: 'Max', min: 'Min', prelu: 'PRelu', equal: 'Equal',
  less: 'Less', lessEqual: 'LessOrEqual', greater: 'Greater', greaterEqual: 'GreaterOrEqual', and: 'And', or: 'Or', xor: 'Xor',
  bitwiseAnd: 'BitwiseAnd', bitwiseOr: 'BitwiseOr', bitwiseXor: 'BitwiseXor', bitwiseNot: 'BitwiseNot',
  where: 'Where', clip: 'Clip', identity: 'Identity', matmul: 'MatMul', concat: 'Concat', gather: 'Gather',
  transpose: 'Transpose', softmax: 'Softmax', logSoftmax: 'LogSoftmax', trilu: 'Trilu',
};

/** IR attribute name → ONNX attribute name, per op where they differ or are kept. */
const KEPT_ATTRS: Record<string, Record<string, string>> = {
  leakyRelu: { alpha: 'alpha' }, elu: { alpha: 'alpha' }, selu: { alpha: 'alpha', gamma: 'gamma' }, celu: { alpha: 'alpha' },
  hardSigmoid: { alpha: 'alpha', beta: 'beta' }, thresholdedRelu: { alpha: 'alpha' }, gelu: { approximate: 'approximate' },
  isInf: { detectPositive: 'detect_positive', detectNegative: 'detect_negative' }, mod: { fmod: 'fmod' },
  concat: { axis: 'axis' }, gather: { axis: 'axis' }, softmax: { axis: 'axis' }, logSoftmax: { axis: 'axis' },
  transpose: { perm: 'perm' }, trilu: { upper: 'upper' },
  conv: { strides: 'strides', pads: 'pads', dilations: 'dilations', group: 'group' },
  maxPool: { kernelShape: 'kernel_shape', strides: 'strides', pads: 'pads', dilations: 'dilations', ceilMode: 'ceil_mode' },
  avgPool: { kernelShape: 'kernel_shape', strides: 'strides', pads: 'pads', ceilMode: 'ceil_mode', countIncludePad: 'count_include_pad' },
  layerNorm: { axis: 'axis', epsilon: 'epsilon' },
  argMax: { axis: 'axis', keepdims: 'keepdims', selectLastIndex: 'select_last_index' },
  argMin: { axis: 'axis', keepdims: 'keepdims', selectLastIndex: 'select_last_index' },
};
const RENAMED: Record<string, string> = {
  leakyRelu: 'LeakyRelu', elu: 'Elu', selu: 'Selu', celu: 'Celu', hardSigmoid: 'HardSigmoid', thresholdedRelu: 'ThresholdedRelu',
  gelu: 'Gelu', isInf: 'IsInf', mod: 'Mod', conv: 'Conv', maxPool: 'MaxPool', avgPool: 'AveragePool', layerNorm: 'LayerNormalization',
  argMax: 'ArgMax', argMin: 'ArgMin',
};
const REDUCE: Record<string, string> = { reduceSum: 'ReduceSum', reduceMean: 'ReduceMean', reduceMax: 'ReduceMax', reduceMin: 'ReduceMin', reduceProd: 'ReduceProd' };

function attribute(name: string, v: AttrValue): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'boolean') return { name, type: T.INT, i: v ? 1 : 0 };
  if (typeof v === 'number') return Number.isInteger(v) && name !== 'alpha' && name !== 'beta' && name !== 'gamma' && name !== 'epsilon' ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: (v as number[]).map(Number) };
  throw new UnsupportedOpError(`export: attribute '${name}' of kind tensor is not exportable`);
}

function tensorProto(name: string, t: HostTensor): TensorProto {
  const data = t.dtype === 'bool' ? Uint8Array.from(t.data as ArrayLike<number>) : t.dtype === 'f32' ? Float32Array.from(t.data as ArrayLike<number>) : t.data;
  return { name, dims: [...t.shape], dataType: ELEMENT[t.dtype], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
}

function int64s(name: string, values: readonly number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], dataType: OnnxType.INT64, rawData: raw };
}

function valueInfo(v: Value, name: string): ValueInfoProto {
  const dim = v.type.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEMENT[v.type.dtype], shape: { dim } } } };
}

export function toOnnx(graph: Graph, options: ExportOptions = {}): Uint8Array {
  const names = new Map<Value, string>();
  const used = new Set<string>();
  const nameOf = (v: Value): string => {
    let n = names.get(v);
    if (!n) {
      const base = (v.name || `v${v.id}`).replace(/[^A-Za-z0-9_./:-]/g, '_');
      n = base;
      for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
      used.add(n);
      names.set(v, n);
    }
    return n;
  };
  const initializers: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  let fresh = 0;
  const constant = (values: readonly number[]) => {
    const name = `export_const_${fresh++}`;
    initializers.push(int64s(name, values));
    return name;
  };
  const stateValues = options.states instanceof Map ? options.states : new Map(Object.entries(options.states ?? {}));
  for (const [v, t] of graph.constants) initializers.push(tensorProto(nameOf(v), t));
  for (const [v, t] of graph.states) initializers.push(tensorProto(nameOf(v), stateValues.get(v.name) ?? t));
  const inputs = graph.inputs.map((v) => valueInfo(v, nameOf(v)));

  const emit = (opType: string, ins: string[], outs: string[], attrs: Attrs, keep: Record<string, string>, name: string) => {
    const attribute_ = Object.entries(keep).filter(([k]) => attrs[k] !== undefined && !(Array.isArray(attrs[k]) && (attrs[k] as unknown[]).length === 0)).map(([k, onnxName]) => attribute(onnxName, attrs[k]));
    nodes.push({ opType, input: ins, output: outs, name, attribute: attribute_ });
  };
  for (const n of graph.nodes) exportNode(n);
  function exportNode(n: Node): void {
    const ins = n.inputs.map(nameOf);
    const outs = n.outputs.map(nameOf);
    const where = `${n.op} '${n.name}'`;
    const a = n.attrs;
    if (n.op in SAME_NAME) return emit(SAME_NAME[n.op], ins, outs, a, KEPT_ATTRS[n.op] ?? {}, n.name);
    if (n.op in RENAMED) {
      if (n.op === 'argMax' || n.op === 'argMin') {
        // ONNX indices are int64; the IR's are i32.
        const wide = `${outs[0]}_i64`;
        emit(RENAMED[n.op], ins, [wide], a, KEPT_ATTRS[n.op], n.name);
        return emit('Cast', [wide], outs, { to: OnnxType.INT32 }, { to: 'to' }, `${n.name}/cast`);
      }
      return emit(RENAMED[n.op], ins, outs, a, KEPT_ATTRS[n.op], n.name);
    }
    if (n.op in REDUCE) {
      const axes = a.axes as number[];
      return emit(REDUCE[n.op], axes.length ? [ins[0], constant(axes)] : [ins[0]], outs, a, { keepdims: 'keepdims' }, n.name);
    }
    switch (n.op) {
      case 'rsqrt': {
        const s = `${outs[0]}_sqrt`;
        emit('Sqrt', ins, [s], a, {}, `${n.name}/sqrt`);
        return emit('Reciprocal', [s], outs, a, {}, n.name);
      }
      case 'notEqual': {
        const e = `${outs[0]}_eq`;
        emit('Equal', ins, [e], a, {}, `${n.name}/eq`);
        return emit('Not', [e], outs, a, {}, n.name);
      }
      case 'cast':
        return emit('Cast', ins, outs, { to: ELEMENT[a.to as DType] }, { to: 'to' }, n.name);
      case 'reshape': {
        const out = n.outputs[0].type.shape;
        const input = n.inputs[0].type.shape;
        // A symbolic dim the input has at the same axis is spelled 0 (ONNX: copy that dim),
        // unless the target has a literal 0; one other can be spelled -1; the rest must be sizes.
        const copies = !out.includes(0);
        let inferred = false;
        const spec = out.map((d, i) => (typeof d === 'number' ? d : copies && input[i] === d ? 0 : inferred ? NaN : ((inferred = true), -1)));
        if (spec.some(Number.isNaN)) throw new UnsupportedOpError(`export: ${where}: more than one symbolic dim in a reshape target that are not the input's at the same axis`);
        return emit('Reshape', [ins[0], constant(spec)], outs, a, {}, n.name);
      }
      case 'squeeze':
      case 'unsqueeze': {
        const axes = a.axes as number[];
        return emit(n.op === 'squeeze' ? 'Squeeze' : 'Unsqueeze', axes.length ? [ins[0], constant(axes)] : [ins[0]], outs, a, {}, n.name);
      }
      case 'expand':
        if (!isStaticShape(n.outputs[0].type.shape)) throw new UnsupportedOpError(`export: ${where}: expand to a symbolic shape`);
        return emit('Expand', [ins[0], constant(n.outputs[0].type.shape as number[])], outs, a, {}, n.name);
      case 'tile':
        return emit('Tile', [ins[0], constant(a.repeats as number[])], outs, a, {}, n.name);
      case 'slice': {
        const starts = a.starts as number[];
        const axes = (a.axes as number[]).length ? (a.axes as number[]) : starts.map((_, i) => i);
        const steps = (a.steps as number[]).length ? (a.steps as number[]) : starts.map(() => 1);
        return emit('Slice', [ins[0], constant(starts), constant(a.ends as number[]), constant(axes), constant(steps)], outs, a, {}, n.name);
      }
      case 'pad': {
        const value = `export_padvalue_${fresh++}`;
        initializers.push(tensorProto(value, { dtype: n.inputs[0].type.dtype, shape: [], data: new Float32Array([a.value as number]) }));
        return emit('Pad', [ins[0], constant(a.pads as number[]), value], outs, a, { mode: 'mode' }, n.name);
      }
      default:
        throw new UnsupportedOpError(`export: ${where}: no ONNX mapping for op '${n.op}'`);
    }
  }

  const outputs = graph.outputs.map((v) => valueInfo(v, nameOf(v)));
  return encodeModel({
    irVersion: 8,
    producerName: 'dawnflow',
    producerVersion: options.producerVersion ?? '0.1.0',
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    graph: { name: graph.name, node: nodes, input: inputs, output: outputs, initializer: initializers },
  });
}
