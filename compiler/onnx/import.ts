import type { Graph, HostTensor, Value } from '../../ir/index.js';
import { formatShape, GraphError, InputError, isFloat, ModelFormatError, UnsupportedOpError, UsageError, verifyGraph } from '../../ir/index.js';
import { NodeAttributes } from './attributes.js';
import type { OnnxNodeView } from './context.js';
import { ImportContext, RANDOM_KEY_INPUT } from './context.js';
import { checkComputed, checkInitializer, declaredType } from './declared_types.js';
import { onnxTypeOf } from './dtypes.js';
import { inlineFunction, type LocalFunctions, localFunctions } from './functions.js';
import { onnxHandler } from './ops/index.js';
import { symbolicShapeOp } from './ops/shape_values.js';
import type { GraphProto, ModelProto, NodeProto, ValueInfoProto } from './proto.js';
import { decodeModel, OnnxType, toInt } from './proto.js';
import { pruneGraph } from './prune.js';
import type { OnnxTensorInfo } from './signature.js';
import { bindInputShapes, tensorInfo } from './signature.js';
import type { DecodedTensor } from './tensor_proto.js';
import { decodeTensor, rangeError } from './tensor_proto.js';

/** The newest default-domain opset whose semantics the importer implements. */
export const MAX_OPSET = 21;

export interface OnnxImportOptions {
  /** The model file's directory: external tensor data is read relative to it. */
  readonly baseDir?: string;
  /** Concrete shapes for some inputs (checked against the declared static dims). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Sizes for named symbolic dims (dim_param); others stay symbolic in the graph. */
  readonly dims?: Readonly<Record<string, number>>;
  /**
   * Inputs whose values are known when importing: they become constants, so ops that need
   * their values at import time (Reshape's shape, TopK's k) can read them.
   */
  readonly constantInputs?: Readonly<Record<string, HostTensor | DecodedTensor>>;
  /** What to call the model in messages (its file name). */
  readonly source?: string;
  /**
   * Float initializers bound as graph states instead of constants: the parameters of a model
   * being trained, and BatchNorm running statistics it updates. States are never folded.
   */
  readonly stateInitializers?: ReadonlySet<string>;
  /**
   * An import for training: the BatchNormalization nodes (by name) that normalize with batch
   * statistics and update their running ones (which must be in `stateInitializers`), and
   * Dropout that drops (its key is an added input, RANDOM_KEY_INPUT). Absent: inference.
   */
  readonly training?: { readonly batchNorm: (nodeName: string) => boolean };
  /** ONNX values to output instead of the graph's declared outputs (a model cut at a feature layer). */
  readonly outputs?: readonly string[];
}

export interface OnnxImport {
  readonly graph: Graph;
  /** The default (ai.onnx) domain's opset version. */
  readonly opset: number;
  /** Every imported domain's version ('' is ai.onnx). */
  readonly opsets: Readonly<Record<string, number>>;
  readonly irVersion: number;
  readonly producer: string;
  /** Graph inputs (initializers excluded), with the shapes the graph was built for. */
  readonly inputs: readonly OnnxTensorInfo[];
  /** Graph outputs with their declared ONNX element types. */
  readonly outputs: readonly OnnxTensorInfo[];
}

/** A name's binding: a value, or why the node that should have produced it could not. */
type Binding = Value | { readonly unavailable: string };

class Scope {
  readonly #names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  get(name: string): Binding | undefined {
    return this.#names.get(name) ?? this.parent?.get(name);
  }
  has(name: string): boolean {
    return this.#names.has(name);
  }
  set(name: string, b: Binding): void {
    this.#names.set(name, b);
  }
}

function normalizeDomain(domain: string | null | undefined): string {
  return domain === 'ai.onnx' ? '' : (domain ?? '');
}

function opsetMap(entries: ModelProto['opsetImport']): Map<string, number> {
  const map = new Map<string, number>();
  for (const e of entries ?? []) map.set(normalizeDomain(e.domain), toInt(e.version));
  return map;
}

/** Everything a node walk needs besides the IR context. */
interface Walk {
  readonly ctx: ImportContext;
  readonly opsets: ReadonlyMap<string, number>;
  readonly functions: LocalFunctions;
  readonly baseDir?: string;
  readonly stateInitializers?: ReadonlySet<string>;
}

function bindInitializers(walk: Walk, graph: GraphProto, scope: Scope): void {
  for (const proto of graph.initializer ?? []) {
    const name = proto.name ?? '';
    const what = `initializer '${name}'`;
    const decoded = decodeTensor(proto, { baseDir: walk.baseDir, what });
    const asState = walk.stateInitializers?.has(name) ?? false;
    if (asState && !isFloat(decoded.tensor.dtype)) throw new UsageError(`${what} holds ${decoded.tensor.dtype} values: only float initializers can be trained`);
    const v = asState ? walk.ctx.b.state(name, decoded.tensor) : walk.ctx.constant(decoded.tensor, name);
    walk.ctx.origin.set(v, what);
    walk.ctx.onnxTypes.set(v, decoded.onnxType);
    if (decoded.wide) walk.ctx.wide.set(v, decoded.wide);
    scope.set(name, v);
  }
  for (const sparse of graph.sparseInitializer ?? []) {
    throw new UnsupportedOpError(`sparse initializer '${sparse.values?.name ?? ''}' is not supported`);
  }
}

function resolveInput(name: string, scope: Scope, where: string, laterOutputs: ReadonlySet<string>): Value {
  const b = scope.get(name);
  if (b === undefined) {
    if (laterOutputs.has(name)) throw new GraphError(`${where}: input '${name}' is produced by a later node: the graph has a cycle or is not topologically sorted`);
    throw new GraphError(`${where}: input '${name}' is dangling (not a graph input, initializer or node output)`);
  }
  if ('unavailable' in b) throw new UnsupportedOpError(`${where}: input '${name}' is unavailable: ${b.unavailable}`);
  return b;
}

/** A node's name in the imported graph and its messages: its own, else its first output's, else `<op>_<index>`. */
export function onnxNodeName(node: NodeProto, index: number): string {
  return node.name || node.output?.[0] || `${node.opType ?? ''}_${index}`;
}

/** Imports nodes in order into `scope`; each node's outputs are bound by their ONNX names. */
function importNodes(walk: Walk, nodes: readonly NodeProto[], scope: Scope, opsets: ReadonlyMap<string, number>, prefix = ''): void {
  const { ctx } = walk;
  const pending = new Set(nodes.flatMap((n) => n.output ?? []));
  nodes.forEach((node, index) => {
    const opType = node.opType ?? '';
    const domain = normalizeDomain(node.domain);
    const name = `${prefix}${onnxNodeName(node, index)}`;
    const where = `${opType} '${name}'`;
    for (const out of node.output ?? []) pending.delete(out);
    const inputs = (node.input ?? []).map((n) => (n === '' ? undefined : resolveInput(n, scope, where, pending)));
    const outputs = node.output ?? [];
    for (const out of outputs) {
      if (out !== '' && scope.has(out)) throw new GraphError(`${where}: output '${out}' is defined twice`);
    }
    const opset = opsets.get(domain);
    const fn = walk.functions.get(`${domain}::${opType}`);
    const handler = domain === '' ? onnxHandler(opType) : undefined;
    if (opset === undefined && !fn) throw new ModelFormatError(`${where}: domain '${domain}' has no opset import`);
    if (!handler && !fn) {
      throw new UnsupportedOpError(`${where}: unsupported op ${domain || 'ai.onnx'}::${opType} (opset ${opset ?? '?'})`);
    }
    const view: OnnxNodeView = { opType, domain, name, where, opset: opset ?? 0, inputs, outputs, attrs: new NodeAttributes(node.attribute ?? [], where) };
    ctx.beginNode(name);
    const mark = ctx.graph.newNodeId();
    const symbolic = inputs.some((v) => v && ctx.shapeValues.has(v)) ? symbolicShapeOp(view, ctx) : undefined;
    const results =
      symbolic ??
      (fn ? inlineFunction(fn, view, (body, inner, fnOpsets, fnPrefix) => importNodes(walk, body, inner, fnOpsets, fnPrefix), () => new Scope()) : handler!(view, ctx));
    const renamed = new Set<Value>();
    outputs.forEach((out, i) => {
      if (out === '') return;
      const v = results[i];
      if (!v) {
        scope.set(out, { unavailable: `${where} cannot produce its output ${i} '${out}'` });
        return;
      }
      // Values this node created take its output names (they name kernels and graph outputs).
      if (v.id > mark && !renamed.has(v) && !ctx.graph.inputs.includes(v)) {
        v.name = out;
        renamed.add(v);
      }
      scope.set(out, v);
    });
  });
}

function bindConstantInput(ctx: ImportContext, scope: Scope, info: OnnxTensorInfo, given: HostTensor | DecodedTensor): void {
  const decoded: DecodedTensor = 'tensor' in given ? given : { name: info.name, onnxType: onnxTypeOf(given.dtype), tensor: given };
  const t = decoded.tensor;
  if (t.dtype !== info.dtype) throw new InputError(`input '${info.name}' has dtype ${t.dtype}, the model expects ${info.dtype}`);
  const declared = info.shape;
  if (declared && (declared.length !== t.shape.length || declared.some((d, i) => typeof d === 'number' && d !== t.shape[i]))) {
    throw new InputError(`input '${info.name}' has shape ${formatShape(t.shape)}, the model expects ${formatShape(declared)}`);
  }
  const v = ctx.constant(t, info.name);
  ctx.origin.set(v, `input '${info.name}'`);
  ctx.onnxTypes.set(v, info.onnxType);
  if (decoded.wide) ctx.wide.set(v, decoded.wide);
  scope.set(info.name, v);
}

/** The training side of an import: a lazily added random-key input and a salt per random op. */
function trainingImport(ctx: ImportContext, batchNorm: (nodeName: string) => boolean): NonNullable<ImportContext['training']> {
  let key: Value | undefined;
  let salt = 0;
  return {
    batchNormTraining: (node) => batchNorm(node.name),
    randomKey: () => (key ??= ctx.b.input(RANDOM_KEY_INPUT, 'u32', [2])),
    nextSalt: () => salt++,
  };
}

/** A graph input that an initializer gives a value must declare the initializer's type (see declared_types.ts). */
function checkInitializedInputs(ctx: ImportContext, graph: GraphProto, root: Scope): void {
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    const bound = root.get(name);
    if (!bound || 'unavailable' in bound) continue;
    const tensor = ctx.graph.constants.get(bound) ?? ctx.graph.states.get(bound);
    const declared = declaredType(input.type, `input '${name}'`);
    if (!tensor || !declared) continue;
    checkInitializer(name, declared, { onnxType: ctx.onnxTypes.get(bound) ?? onnxTypeOf(tensor.dtype), shape: tensor.shape });
  }
}

/**
 * Each `value_info` entry against what the importer computed for that value. Entries for names
 * the graph does not compute (stale ones, or values inside subgraphs) have nothing to contradict.
 */
function checkValueInfo(graph: GraphProto, root: Scope): void {
  for (const info of graph.valueInfo ?? []) {
    const name = info.name ?? '';
    const bound = root.get(name);
    const declared = declaredType(info.type, `value_info '${name}'`);
    if (!bound || 'unavailable' in bound || !declared) continue;
    checkComputed(`value_info '${name}'`, declared, bound.type);
  }
}

/** Imports a decoded ModelProto. */
export function importOnnxModel(model: ModelProto, options: OnnxImportOptions = {}): OnnxImport {
  const graphProto = model.graph!;
  const opsets = opsetMap(model.opsetImport);
  if (!opsets.has('')) opsets.set('', 1);
  const opset = opsets.get('')!;
  if (opset > MAX_OPSET) throw new UnsupportedOpError(`the model imports opset ${opset} of ai.onnx; dawnflow supports opsets up to ${MAX_OPSET}`);

  const ctx = new ImportContext(graphProto.name || 'main');
  const walk: Walk = { ctx, opsets, functions: localFunctions(model), baseDir: options.baseDir, stateInitializers: options.stateInitializers };
  if (options.training) ctx.training = trainingImport(ctx, options.training.batchNorm);
  const root = new Scope();
  bindInitializers(walk, graphProto, root);
  checkInitializedInputs(ctx, graphProto, root);

  const declared = (graphProto.input ?? []).filter((i) => !root.has(i.name ?? '')).map((i) => tensorInfo(i, `input '${i.name}'`));
  const known = options.constantInputs ?? {};
  for (const info of declared) {
    const given = known[info.name];
    if (given) bindConstantInput(ctx, root, info, given);
  }
  const inputs = bindInputShapes(
    declared.filter((i) => !known[i.name]),
    options.inputShapes,
    options.dims,
  );
  for (const info of inputs) {
    if (info.shape === null) throw new UnsupportedOpError(`input '${info.name}' has no declared shape; pass its shape`);
    const v = ctx.b.input(info.name, info.dtype, info.shape);
    ctx.onnxTypes.set(v, info.onnxType);
    root.set(info.name, v);
  }

  let scope = root;
  ctx.importSubgraph = (sub, where, inputs = []) => {
    const outer = scope;
    scope = new Scope(outer);
    try {
      const formals = sub.input ?? [];
      if (inputs.length !== formals.length) throw new ModelFormatError(`${where}: the subgraph takes ${formals.length} inputs, ${inputs.length} given`);
      formals.forEach((f, i) => scope.set(f.name ?? '', inputs[i]));
      bindInitializers(walk, sub, scope);
      importNodes(walk, sub.node ?? [], scope, opsets, `${where}/`);
      return (sub.output ?? []).map((o) => resolveInput(o.name ?? '', scope, where, new Set()));
    } finally {
      scope = outer;
    }
  };
  importNodes(walk, graphProto.node ?? [], root, opsets);
  checkValueInfo(graphProto, root);

  const declaredOutputs = options.outputs ? options.outputs.map((name) => ({ name })) : (graphProto.output ?? []);
  const outputs = declaredOutputs.map((o: ValueInfoProto) => {
    const name = o.name ?? '';
    const v = resolveInput(name, root, `graph output '${name}'`, new Set());
    const info = o.type?.tensorType?.elemType ? tensorInfo(o, `output '${name}'`) : undefined;
    const declaredOutput = declaredType(o.type, `graph output '${name}'`);
    if (declaredOutput) checkComputed(`graph output '${name}'`, declaredOutput, v.type);
    return { v, name, info };
  });
  const used = new Set<Value>();
  for (const { v, name } of outputs) {
    const symbolic = ctx.shapeValues.get(v);
    if (symbolic) throw new UnsupportedOpError(`graph output '${name}' is the shape [${symbolic.join(',')}], which has symbolic dims`);
    // An output must be its own named value: copy inputs, constants, repeats and renamed values.
    const own = v.producer !== null && v.name === name && !used.has(v);
    const out = own ? v : ctx.b.apply('identity', [v], {}, name)[0];
    out.name = name;
    used.add(out);
    ctx.b.output(out);
  }

  pruneGraph(ctx.graph);
  for (const v of ctx.graph.constants.keys()) {
    const wide = ctx.wide.get(v);
    if (wide) {
      const decoded = { name: v.name, onnxType: ctx.onnxTypes.get(v) ?? OnnxType.INT64, tensor: ctx.graph.constants.get(v)!, wide };
      throw rangeError(ctx.origin.get(v) ?? `constant '${v.name}'`, decoded);
    }
  }
  verifyGraph(ctx.graph);

  return {
    graph: ctx.graph,
    opset,
    opsets: Object.fromEntries(opsets),
    irVersion: toInt(model.irVersion),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs,
    outputs: outputs.map(({ name, info }, i) => {
      const v = ctx.graph.outputs[i];
      return { name, dtype: v.type.dtype, onnxType: info?.onnxType ?? onnxTypeOf(v.type.dtype), shape: [...v.type.shape] };
    }),
  };
}

/** Imports ONNX model bytes: ModelProto → IR graph (see OnnxImportOptions). */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImport {
  return importOnnxModel(decodeModel(bytes, options.source ?? 'model'), options);
}
