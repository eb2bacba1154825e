import type { DType, Graph, HostTensor, Value } from '../../ir/index.js';
import { allocHost, bindShape, formatShape, InputError, inferOp, numel } from '../../ir/index.js';
import { getRef } from './kernels.js';
import './ops/index.js';

export interface InterpretOptions {
  /** Compute floats in float64 (for finite differences); results are Float64Array. */
  readonly f64?: boolean;
  /** State values to use instead of the graph's initial ones. */
  readonly states?: ReadonlyMap<Value, HostTensor>;
}

export interface InterpretResult {
  /** Outputs by value name (or `output_<i>` when unnamed). */
  readonly outputs: Record<string, HostTensor>;
  /** Output tensors in graph order. */
  readonly outputList: HostTensor[];
  /** States after the run's updates. */
  readonly states: Map<Value, HostTensor>;
}

/** Stores numbers in a dtype's host array: ints wrap like the device's 32-bit arithmetic. */
export function toDType(t: HostTensor, dtype: DType, f64: boolean): HostTensor {
  const want = allocHost(dtype, t.data.length, f64);
  if (want.constructor === t.data.constructor) return { dtype, shape: t.shape, data: t.data };
  const src = t.data;
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) want[i] = src[i] ? 1 : 0;
  else if (dtype === 'i32' || dtype === 'u32') for (let i = 0; i < src.length; i++) want[i] = Math.trunc(src[i]);
  else want.set(src as ArrayLike<number>);
  return { dtype, shape: t.shape, data: want };
}

export function outputName(v: Value, i: number): string {
  return v.name || `output_${i}`;
}

/**
 * Runs a graph node by node on the host: the obviously-correct oracle for every GPU test.
 * Shapes are re-inferred from the concrete inputs, so graphs with symbolic dims run as-is.
 */
export function interpret(graph: Graph, inputs: Readonly<Record<string, HostTensor>>, options: InterpretOptions = {}): InterpretResult {
  const f64 = options.f64 ?? false;
  const env = new Map<Value, HostTensor>();
  const put = (v: Value, t: HostTensor) => env.set(v, toDType(t, v.type.dtype, f64));
  // Symbolic dims take their sizes from the inputs; an op whose attributes name one (reshape to
  // ['B', 'T', 2, 3]) resolves it through the same binding.
  const dims = new Map<string, number>();
  for (const v of graph.inputs) {
    const t = inputs[v.name];
    if (!t) throw new InputError(`input '${v.name}' is missing`);
    if (t.dtype !== v.type.dtype) throw new InputError(`input '${v.name}' has dtype ${t.dtype}, expected ${v.type.dtype}`);
    if (t.shape.length !== v.type.shape.length || t.shape.some((d, i) => typeof v.type.shape[i] === 'number' && d !== v.type.shape[i])) {
      throw new InputError(`input '${v.name}' has shape ${formatShape(t.shape)}, expected ${formatShape(v.type.shape)}`);
    }
    if (t.data.length !== numel(t.shape)) throw new InputError(`input '${v.name}' has ${t.data.length} values for shape ${formatShape(t.shape)}`);
    v.type.shape.forEach((d, i) => {
      if (typeof d !== 'string') return;
      const bound = dims.get(d);
      if (bound !== undefined && bound !== t.shape[i]) throw new InputError(`input '${v.name}' has ${t.shape[i]} for dim '${d}', which another input gives as ${bound}`);
      dims.set(d, t.shape[i]);
    });
    put(v, t);
  }
  for (const [v, t] of graph.constants) put(v, t);
  for (const [v, t] of graph.states) put(v, options.states?.get(v) ?? t);

  for (const node of graph.nodes) {
    const where = `${node.op} '${node.name}'`;
    const args = node.inputs.map((v) => env.get(v)!);
    const { outputs } = inferOp(node.op, args.map((t) => ({ dtype: t.dtype, shape: t.shape })), node.attrs, where);
    const concrete = outputs.map((t) => ({ dtype: t.dtype, shape: bindShape(t.shape, dims, where) }));
    const results = getRef(node.op, where)(args, { node, outputs: concrete, f64, where });
    node.outputs.forEach((v, i) => put(v, { ...results[i], shape: concrete[i].shape }));
  }

  const outputList = graph.outputs.map((v) => env.get(v)!);
  const outputs: Record<string, HostTensor> = {};
  graph.outputs.forEach((v, i) => (outputs[outputName(v, i)] = outputList[i]));
  const states = new Map<Value, HostTensor>();
  for (const [v] of graph.states) states.set(v, env.get(graph.stateUpdates.get(v) ?? v)!);
  return { outputs, outputList, states };
}
