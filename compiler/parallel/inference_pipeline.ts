import type { Graph, Node, Value } from '../../ir/index.js';
import { deviceBytes, Graph as IRGraph, GraphError, isStaticShape, Node as IRNode, OutOfMemoryError, verifyGraph } from '../../ir/index.js';
import type { InferencePipelineProgram, InferenceStage, StageTensor } from '../../ir/parallel_program.js';
import { INFERENCE_PIPELINE_FORMAT, PARALLEL_PROGRAM_VERSION } from '../../ir/parallel_program.js';
import type { CompileOptions } from '../compile.js';
import { compile } from '../compile.js';
import { runPasses } from '../pipeline.js';
import { specialize } from '../passes/specialize.js';
import type { CostModel } from './cost.js';
import { costMs, DEFAULT_COST_MODEL, nodeCost, sumCosts } from './cost.js';
import { type PlacementUnit, placeStages, stageRangeName, type StageRange } from './placement.js';

export interface InferencePipelineOptions {
  readonly stages: number;
  /** Sizes of symbolic dims (the batch size of the stream, typically). */
  readonly dims?: Readonly<Record<string, number>>;
  readonly limits?: CompileOptions['limits'];
  /** Bytes one device may hold (weights and arena). */
  readonly deviceMemory?: number;
  readonly costModel?: CostModel;
}

/** A planned split before compilation: what `dawnflow inspect --plan --devices S` prints. */
export interface InferencePlacement {
  readonly graph: Graph;
  readonly ranges: readonly StageRange[];
  readonly units: readonly PlacementUnit[];
  readonly stages: readonly { readonly receives: readonly Value[]; readonly sends: readonly Value[]; readonly nodes: readonly Node[] }[];
}

/** Device bytes of a value (a symbolic shape left after `dims` counts as nothing). */
const bytesOf = (v: Value): number => (isStaticShape(v.type.shape) ? deviceBytes(v.type.dtype, v.type.shape) : 0);

/**
 * The placement pass on a graph (an imported ONNX model): after the usual graph passes, its
 * nodes in topological order are split into contiguous stages balanced by estimated cost (each
 * stage also pays for receiving the tensors that cross its cut), within the device memory
 * (weights counted at their first user). Whatever later stages or the outputs need crosses
 * each cut: a value an early stage made and a late one reads passes through the stages between.
 */
export function placeInference(source: Graph, options: InferencePipelineOptions): InferencePlacement {
  verifyGraph(source);
  const graph = runPasses(specialize(source, new Map(Object.entries(options.dims ?? {}))));
  const nodes = graph.nodes;
  if (nodes.length === 0) throw new GraphError(`${graph.name}: no nodes to place`);
  const model = options.costModel ?? DEFAULT_COST_MODEL;
  const owner = new Map<Value, number>();
  nodes.forEach((n, i) => n.outputs.forEach((v) => owner.set(v, i)));
  const lastUse = new Map<Value, number>();
  nodes.forEach((n, i) => n.inputs.forEach((v) => lastUse.set(v, i)));
  for (const v of graph.outputs) lastUse.set(v, nodes.length);
  const weightSeen = new Set<Value>();
  // What crosses the cut before node j: values made before j (or inputs) still needed at or after j.
  const crossing = (j: number): Value[] => {
    const out: Value[] = [];
    for (const [v, last] of lastUse) {
      if (graph.constants.has(v) || graph.states.has(v)) continue;
      const made = owner.get(v) ?? -1;
      if (made < j && last >= j) out.push(v);
    }
    return out;
  };
  const units: PlacementUnit[] = nodes.map((n, i) => {
    const weights = n.inputs.filter((v) => graph.constants.has(v) && !weightSeen.has(v));
    for (const w of weights) weightSeen.add(w);
    return {
      name: n.name || `${n.op} ${i}`,
      ms: costMs(nodeCost(n), model),
      fixedBytes: weights.reduce((s, v) => s + bytesOf(v), 0),
      peakBytes: [...n.inputs, ...n.outputs].filter((v) => !graph.constants.has(v)).reduce((s, v) => s + bytesOf(v), 0),
    };
  });
  // A stage starting at j also receives what crosses there: device → host → device, twice the bytes.
  const cutMs = nodes.map((_, j) => (j === 0 ? 0 : costMs({ flops: 0, bytes: 2 * crossing(j).reduce((s, v) => s + bytesOf(v), 0) }, model)));
  const ranges = placeStages(units, options.stages, options.deviceMemory, `${graph.name} (${nodes.length} nodes)`, cutMs);
  const stages = ranges.map((r, s) => ({
    receives: s === 0 ? [...graph.inputs] : crossing(r.first),
    sends: s === ranges.length - 1 ? [...graph.outputs] : crossing(r.end),
    nodes: nodes.slice(r.first, r.end),
  }));
  return { graph, ranges, units, stages };
}

/** Compiles each stage of the placement into a plain Plan. */
export function compileInferencePipeline(source: Graph, options: InferencePipelineOptions): InferencePipelineProgram {
  const placement = placeInference(source, options);
  const { graph } = placement;
  const names = uniqueNames(graph);
  const tensor = (v: Value): StageTensor => {
    if (!isStaticShape(v.type.shape)) throw new GraphError(`${graph.name}: '${names.get(v)}' has a symbolic shape; give its dims`);
    return { name: names.get(v)!, dtype: v.type.dtype, shape: [...v.type.shape] };
  };
  const model = options.costModel ?? DEFAULT_COST_MODEL;
  const stages: InferenceStage[] = placement.stages.map((stage, s) => {
    const sub = stageGraph(graph, `stage${s}`, stage, names);
    const plan = compile(sub, { limits: options.limits });
    const r = plan.regionBytes;
    const memoryBytes = r.arena + r.constants + r.states;
    const range = placement.ranges[s];
    const blocks = stageRangeName(placement.units, range);
    if (options.deviceMemory !== undefined && memoryBytes > options.deviceMemory) {
      throw new OutOfMemoryError(`${graph.name}: stage ${s} (${blocks}) needs ${memoryBytes} bytes once compiled (weights ${r.constants}, arena ${r.arena}), more than the ${options.deviceMemory} bytes of device memory allowed`);
    }
    const cost = sumCosts(stage.nodes.map(nodeCost));
    return {
      index: s,
      plan,
      receives: stage.receives.map(tensor),
      sends: stage.sends.map(tensor),
      estimate: { blocks, flops: cost.flops, bytes: cost.bytes, ms: costMs(cost, model), memoryBytes, arenaBytes: r.arena },
    };
  });
  return {
    format: INFERENCE_PIPELINE_FORMAT,
    version: PARALLEL_PROGRAM_VERSION,
    name: graph.name,
    stages,
    inputs: graph.inputs.map(tensor),
    outputs: graph.outputs.map(tensor),
  };
}

/** Every value that may cross a cut gets a name unique in the graph (its own when it has one). */
function uniqueNames(graph: Graph): Map<Value, string> {
  const names = new Map<Value, string>();
  const taken = new Set<string>();
  const all = [...graph.inputs, ...graph.nodes.flatMap((n) => n.outputs)];
  for (const v of all) {
    let name = v.name || `value_${v.id}`;
    while (taken.has(name)) name = `${name}_${v.id}`;
    taken.add(name);
    names.set(v, name);
  }
  return names;
}

/** The stage's nodes as a graph of their own: crossing values in, crossing values (or the model's outputs) out. */
function stageGraph(graph: Graph, name: string, stage: InferencePlacement['stages'][number], names: ReadonlyMap<Value, string>): Graph {
  const sub = new IRGraph(name);
  const map = new Map<Value, Value>();
  for (const v of stage.receives) {
    const copy = sub.newValue(v.type, names.get(v)!);
    sub.inputs.push(copy);
    map.set(v, copy);
  }
  const valueOf = (v: Value): Value => {
    let m = map.get(v);
    if (!m) {
      const data = graph.constants.get(v);
      if (!data) throw new GraphError(`${name}: value '${names.get(v) ?? v.id}' is neither received nor made here`);
      m = sub.newValue(v.type, v.name);
      sub.constants.set(m, data);
      map.set(v, m);
    }
    return m;
  };
  for (const n of stage.nodes) {
    const node = new IRNode(sub.newNodeId(), n.op, n.inputs.map(valueOf), [], n.attrs, n.name);
    node.outputs = n.outputs.map((v) => {
      const out = sub.newValue(v.type, names.get(v) ?? v.name);
      out.producer = node;
      map.set(v, out);
      return out;
    });
    sub.nodes.push(node);
  }
  // Values keep their unique names, so a received value sent on unchanged is named the same on both sides.
  sub.outputs = stage.sends.map(valueOf);
  return sub;
}
