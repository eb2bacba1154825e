import { UsageError } from '../../ir/index.js';
import type { GraphProto, ModelProto, NodeProto } from '../onnx/proto.js';
import { onnxNodeName } from '../onnx/import.js';
import { OnnxType } from '../onnx/proto.js';

/**
 * Which initializers of an ONNX model train (the rest are frozen: constants, folded where they
 * can be), and which BatchNormalization nodes use batch statistics.
 */
export type ParameterSelection =
  /** Every float initializer the output depends on (scalars and BatchNorm running statistics apart). */
  | 'all'
  /** None: a frozen feature extractor. */
  | 'none'
  /** These initializers, by name. */
  | readonly string[]
  /** The initializers whose names match. */
  | RegExp
  /** The initializers read by the nodes downstream of this node (its name or one of its outputs'). */
  | { readonly after: string }
  | ((initializer: string) => boolean);

/**
 * BatchNormalization in training: 'auto' normalizes with batch statistics (and updates the
 * running ones) where the node's scale or bias trains, and with the running statistics where it
 * is frozen; 'batch' and 'running' choose one for every node.
 */
export type BatchNormMode = 'auto' | 'batch' | 'running';

export interface ResolvedSelection {
  /** Initializers that train. */
  readonly trainable: ReadonlySet<string>;
  /** Running statistics of BatchNormalization nodes that use batch statistics (updated, not trained). */
  readonly buffers: ReadonlySet<string>;
  /** Those BatchNormalization nodes, by the importer's node names. */
  readonly batchNorms: ReadonlySet<string>;
  /** Float initializers the output depends on that do not train. */
  readonly frozen: readonly string[];
}

const FLOAT_TYPES = new Set<number>([OnnxType.FLOAT, OnnxType.FLOAT16, OnnxType.DOUBLE, OnnxType.BFLOAT16]);

/** Every name a node reads, its subgraphs' outer-scope references included. */
function readsOf(node: NodeProto): string[] {
  const names = [...(node.input ?? [])];
  const visit = (g: GraphProto | null | undefined) => {
    for (const n of g?.node ?? []) names.push(...readsOf(n));
  };
  for (const a of node.attribute ?? []) {
    visit(a.g);
    for (const g of a.graphs ?? []) visit(g);
  }
  return names.filter((n) => n !== '');
}

/**
 * Resolves a selection against a model: what trains, which BatchNorm nodes use batch
 * statistics, which running statistics they update. Only initializers the output depends on
 * count; naming one it does not, or a non-float one, is a UsageError.
 */
export function resolveSelection(model: ModelProto, output: string, selection: ParameterSelection, batchNorm: BatchNormMode): ResolvedSelection {
  const graph = model.graph ?? {};
  const nodes = graph.node ?? [];
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));

  // The nodes the output depends on, and the initializers they read.
  const needed = new Set<number>();
  const pending = [output];
  while (pending.length) {
    const i = producer.get(pending.pop()!);
    if (i === undefined || needed.has(i)) continue;
    needed.add(i);
    pending.push(...readsOf(nodes[i]));
  }
  const used = new Set<string>();
  for (const i of needed) for (const name of readsOf(nodes[i])) if (initializers.has(name)) used.add(name);
  const isFloat = (name: string) => FLOAT_TYPES.has(initializers.get(name)?.dataType ?? 0);
  const statistics = new Set<string>();
  for (const i of needed) if (nodes[i].opType === 'BatchNormalization') for (const k of [3, 4]) if (nodes[i].input?.[k]) statistics.add(nodes[i].input![k]);
  // Scalars are constants of the computation (an epsilon, a dropout scale), not weights: they
  // train only when named.
  const candidates = [...used].filter((name) => isFloat(name) && !statistics.has(name) && (initializers.get(name)!.dims ?? []).length > 0);

  const named = (names: readonly string[]): string[] => {
    for (const name of names) {
      if (!initializers.has(name)) throw new UsageError(`trainable: the model has no initializer '${name}'`);
      if (!used.has(name)) throw new UsageError(`trainable: initializer '${name}' does not reach output '${output}'`);
      if (!isFloat(name)) throw new UsageError(`trainable: initializer '${name}' is not a float tensor`);
      if (statistics.has(name)) throw new UsageError(`trainable: initializer '${name}' is a BatchNormalization running statistic (updated from batch statistics, not trained)`);
    }
    return [...names];
  };
  let trainable: string[];
  if (selection === 'all') trainable = candidates;
  else if (selection === 'none') trainable = [];
  else if (typeof selection === 'function') trainable = candidates.filter((name) => selection(name));
  else if (selection instanceof RegExp) {
    trainable = candidates.filter((name) => selection.test(name));
    if (trainable.length === 0) throw new UsageError(`trainable: no float initializer matches ${selection} (initializers: ${candidates.slice(0, 8).join(', ')}${candidates.length > 8 ? ', ...' : ''})`);
  } else if ('after' in selection) {
    const downstream = new Set(downstreamReads(nodes, selection.after));
    trainable = candidates.filter((name) => downstream.has(name));
  } else trainable = named(selection);
  const chosen = new Set(trainable);

  const batchNorms = new Set<string>();
  const buffers = new Set<string>();
  nodes.forEach((n, i) => {
    if (n.opType !== 'BatchNormalization' || !needed.has(i)) return;
    const trains = batchNorm === 'batch' || (batchNorm === 'auto' && [1, 2].some((k) => chosen.has(n.input?.[k] ?? '')));
    if (!trains) return;
    batchNorms.add(onnxNodeName(n, i));
    for (const k of [3, 4]) {
      const name = n.input?.[k] ?? '';
      if (!initializers.has(name)) throw new UsageError(`BatchNormalization '${onnxNodeName(n, i)}': its running statistic '${name}' is not an initializer, so it cannot be updated`);
      buffers.add(name);
    }
  });
  return { trainable: chosen, buffers, batchNorms, frozen: candidates.filter((name) => !chosen.has(name)) };
}

/** The names read by the nodes downstream of node `after` (its name, or one of its outputs). */
function downstreamReads(nodes: readonly NodeProto[], after: string): string[] {
  const start = nodes.findIndex((n, i) => onnxNodeName(n, i) === after || (n.output ?? []).includes(after));
  if (start < 0) {
    const names = nodes.slice(0, 8).map((n, i) => onnxNodeName(n, i));
    throw new UsageError(`trainable: the model has no node or value '${after}' (nodes: ${names.join(', ')}${nodes.length > 8 ? ', ...' : ''})`);
  }
  const reached = new Set(nodes[start].output ?? []);
  const reads: string[] = [];
  for (let i = start + 1; i < nodes.length; i++) {
    const inputs = readsOf(nodes[i]);
    if (!inputs.some((name) => reached.has(name))) continue;
    for (const o of nodes[i].output ?? []) reached.add(o);
    reads.push(...inputs);
  }
  return reads;
}
