import type { Graph, HostTensor, Shape } from '../../ir/index.js';
import { formatShape, InputError, isStaticShape, UsageError } from '../../ir/index.js';
import { init } from '../dsl/init.js';
import { Module } from '../dsl/module.js';
import { Parameter } from '../dsl/parameter.js';
import type { Mode, Tensor } from '../dsl/tensor.js';
import { ConstantRequiredError } from '../onnx/context.js';
import type { OnnxImport } from '../onnx/import.js';
import { importOnnxModel } from '../onnx/import.js';
import type { ModelProto } from '../onnx/proto.js';
import { decodeModel } from '../onnx/proto.js';
import type { OnnxTensorInfo } from '../onnx/signature.js';
import { modelSignature } from '../onnx/signature.js';
import { decodeTensor } from '../onnx/tensor_proto.js';
import { inlineGraph } from './inline.js';
import type { BatchNormMode, ParameterSelection, ResolvedSelection } from './selection.js';
import { resolveSelection } from './selection.js';

export interface OnnxModuleOptions {
  /** Which initializers train (default 'all'); the others are frozen. */
  readonly trainable?: ParameterSelection;
  /** BatchNormalization in training (default 'auto': batch statistics where scale or bias trains). */
  readonly batchNorm?: BatchNormMode;
  /** The ONNX value `forward` returns (default: the model's first output): an inner one cuts the model there. */
  readonly output?: string;
  /** The graph input `forward`'s tensor feeds (default: the model's only input). */
  readonly input?: string;
  /** The model file's directory (external tensor data). */
  readonly baseDir?: string;
  /** What to call the model in messages. */
  readonly source?: string;
}

/**
 * An ONNX model as a DSL module, so it trains like one: `new nn.Sequential(onnx, head)`, the
 * same losses, optimizers, schedules, dropout and checkpoints as any DSL model.
 *
 * The trainable initializers (and the running statistics of BatchNorm nodes that use batch
 * statistics) are parameters, in `initializers` under their ONNX names; every other initializer
 * is frozen: a constant, folded at import where it can be (a frozen BatchNorm becomes one
 * multiply-add). `forward` imports the model for the trace's mode and the input's shape — in
 * training mode BatchNorm nodes that train normalize with batch statistics and update their
 * running ones, and Dropout drops — and inlines it into the trace.
 */
export class OnnxModule extends Module {
  /** Parameters by initializer name: what trains, then the running statistics BatchNorm updates. */
  readonly initializers = new Map<string, Parameter>();
  /** Float initializers that stay as they are (constants). */
  readonly frozen: readonly string[];
  readonly #model: ModelProto;
  readonly #input: OnnxTensorInfo;
  readonly #output: string;
  readonly #selection: ResolvedSelection;
  readonly #options: OnnxModuleOptions;
  readonly #imports = new Map<string, Graph>();

  constructor(model: Uint8Array | ModelProto, options: OnnxModuleOptions = {}) {
    super();
    this.#options = options;
    this.#model = model instanceof Uint8Array ? decodeModel(model, options.source ?? 'model') : model;
    const signature = modelSignature(this.#model);
    this.#input = pickInput(signature.inputs, options.input);
    const output = options.output ?? signature.outputs[0]?.name;
    if (!output) throw new UsageError('the ONNX model declares no output; name one with `output`');
    this.#output = output;
    let selection = resolveSelection(this.#model, output, options.trainable ?? 'all', options.batchNorm ?? 'auto');
    // An initializer an op reads at import time (a Dropout ratio, Resize scales) cannot be a
    // state: chosen broadly, it is frozen instead; named explicitly, it is an error.
    for (;;) {
      const needed = this.#needsConstant(selection);
      if (needed === undefined) break;
      const explicit = Array.isArray(options.trainable);
      if (explicit) throw new UsageError(`trainable: initializer '${needed}' is read when the model is imported (a shape, ratio or scale), so it cannot be trained`);
      const trainable = new Set(selection.trainable);
      trainable.delete(needed);
      selection = resolveSelection(this.#model, output, [...trainable], options.batchNorm ?? 'auto');
    }
    this.#selection = selection;
    this.frozen = selection.frozen;
    const graph = this.#model.graph ?? {};
    for (const proto of graph.initializer ?? []) {
      const name = proto.name ?? '';
      const trains = selection.trainable.has(name);
      if (!trains && !selection.buffers.has(name)) continue;
      const value = decodeTensor(proto, { baseDir: options.baseDir, what: `initializer '${name}'` }).tensor;
      this.initializers.set(name, imported(value, trains));
    }
  }

  /** Names of the initializers that train, in the model's order. */
  get trainableNames(): string[] {
    return [...this.initializers.keys()].filter((name) => this.#selection.trainable.has(name));
  }

  forward(x: Tensor): Tensor {
    if (!isStaticShape(x.shape)) throw new UsageError(`${this.#what}: its input ${x} must have a static shape`);
    if (x.dtype !== this.#input.dtype) throw new InputError(`${this.#what}: input '${this.#input.name}' is ${this.#input.dtype}, given ${x}`);
    const graph = this.#importFor(x.trace.mode, x.shape);
    const [y] = inlineGraph(x.trace, graph, new Map([[this.#input.name, x]]), (name) => this.initializers.get(name)!);
    return y;
  }

  get #what(): string {
    return `ONNX module '${this.#options.source ?? this.#model.graph?.name ?? 'model'}'`;
  }

  #importFor(mode: Mode, shape: Shape): Graph {
    const key = `${mode}:${shape.join(',')}`;
    let graph = this.#imports.get(key);
    if (!graph) {
      graph = this.#import(this.#selection, mode, shape as number[]).graph;
      this.#imports.set(key, graph);
    }
    return graph;
  }

  #import(selection: ResolvedSelection, mode: Mode, shape: readonly number[]): OnnxImport {
    return importOnnxModel(this.#model, {
      baseDir: this.#options.baseDir,
      source: this.#options.source,
      inputShapes: { [this.#input.name]: shape },
      stateInitializers: new Set([...selection.trainable, ...selection.buffers]),
      training: mode === 'train' ? { batchNorm: (node) => selection.batchNorms.has(node) } : undefined,
      outputs: [this.#output],
    });
  }

  /** An initializer of the selection an op needs as a constant at import time, if any. */
  #needsConstant(selection: ResolvedSelection): string | undefined {
    const declared = this.#input.shape;
    if (!declared) return undefined;
    try {
      this.#import(selection, 'train', declared.map((d) => (typeof d === 'number' ? d : 1)));
      return undefined;
    } catch (e) {
      if (e instanceof ConstantRequiredError && selection.trainable.has(e.valueName)) return e.valueName;
      throw e;
    }
  }
}

/** The graph input a module's tensor feeds: the named one, or the only one. */
function pickInput(inputs: readonly OnnxTensorInfo[], name: string | undefined): OnnxTensorInfo {
  if (name !== undefined) {
    const found = inputs.find((i) => i.name === name);
    if (!found) throw new UsageError(`the ONNX model has no input '${name}' (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'})`);
    return found;
  }
  if (inputs.length !== 1) throw new UsageError(`the ONNX model has ${inputs.length} inputs (${inputs.map((i) => `${i.name}${i.shape ? formatShape(i.shape) : ''}`).join(', ')}): name the one the module's tensor feeds with \`input\``);
  return inputs[0];
}

/** A parameter holding an imported initializer's value from the start (weights decay, vectors do not). */
function imported(value: HostTensor, trainable: boolean): Parameter {
  const shape = [...value.shape];
  const parameter = new Parameter(shape, init.values(value), { dtype: value.dtype, trainable, decay: trainable && shape.length >= 2 });
  parameter.value = value;
  return parameter;
}
