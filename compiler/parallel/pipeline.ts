import type { DType, Graph, StaticShape } from '../../ir/index.js';
import { deviceBytes, deviceBytesPerElement, GraphError, hostBytesPerElement, numel, OutOfMemoryError, UsageError } from '../../ir/index.js';
import type { CutTensor, PipelineProgram, PipelineSchedule, PipelineStage } from '../../ir/parallel_program.js';
import { PARALLEL_PROGRAM_VERSION, PIPELINE_FORMAT } from '../../ir/parallel_program.js';
import { grad } from '../autodiff/index.js';
import { correct } from '../dsl/losses.js';
import type { Module } from '../dsl/module.js';
import type { Parameter } from '../dsl/parameter.js';
import type { Tensor } from '../dsl/tensor.js';
import { STEP_STATE, Trace } from '../dsl/trace.js';
import type { TrainingSpec } from '../train/compile_training.js';
import type { CostModel } from './cost.js';
import { costMs, DEFAULT_COST_MODEL, nodeCost, sumCosts } from './cost.js';
import { phasedDeviceBytes, splitBatch } from './data_parallel.js';
import { compilePhases } from './phased.js';
import { type PlacementUnit, placeStages, stageRangeName } from './placement.js';
import { accumulatorName, applyGraph, blocksOf, gradientName, INPUT, prepareModel, TARGET } from './training_graphs.js';

export interface PipelineOptions {
  readonly stages: number;
  /** Copies of the pipeline, each on its share of the global batch (default 1). */
  readonly replicas?: number;
  /** Micro-batches per replica and step (default: the stage count). */
  readonly microBatches?: number;
  readonly schedule?: PipelineSchedule;
  /** Bytes one device may hold: placement respects it, and a stage that still needs more is refused. */
  readonly deviceMemory?: number;
  readonly costModel?: CostModel;
}

/** A layer of the model as the placement pass sees it. */
export interface BlockProfile {
  readonly name: string;
  readonly flops: number;
  readonly bytes: number;
  readonly parameters: readonly Parameter[];
  /** The block's output per example. */
  readonly output: { readonly dtype: DType; readonly exampleShape: StaticShape };
  readonly activationBytes: number;
}

const STAGE_INPUT = 'h';
const STAGE_OUTPUT = 'h_out';
/** Slots per parameter besides its value: the gradient accumulator, and the optimizer's moments. */
const MOMENTS: Record<string, number> = { sgd: 1, adam: 2, adamw: 2, rmsprop: 3 };

/**
 * Pipeline parallelism for a DSL model (an nn.Sequential): the placement pass splits its layers
 * into `stages` contiguous stages balanced by estimated cost (FLOPs and bytes of each layer's
 * nodes under the cost model) within the device memory, and each stage compiles to a phased
 * plan (forward; backward recomputing the forward; apply; eval: ir/parallel_program.ts). Stages
 * exchange the activation at each cut and its gradient.
 */
export function compilePipeline(spec: TrainingSpec, options: PipelineOptions): PipelineProgram {
  prepareModel(spec);
  const blocks = blocksOf(spec.model);
  const replicas = options.replicas ?? 1;
  const stageCount = options.stages;
  const microBatches = options.microBatches ?? stageCount;
  const schedule = options.schedule ?? '1f1b';
  if (schedule !== 'gpipe' && schedule !== '1f1b') throw new UsageError(`pipeline schedule '${String(schedule)}' is not 'gpipe' or '1f1b'`);
  const o = spec.optimizer.options;
  if (o.clipNorm !== undefined || o.skipNonFinite) {
    throw new UsageError('pipeline parallelism applies the optimizer stage by stage: clipNorm and skipNonFinite need the global gradient norm, which it does not compute; use data parallelism');
  }
  const perReplica = splitBatch(spec.batchSize, replicas, `${replicas} pipeline replicas`);
  const microBatch = splitBatch(perReplica, microBatches, `${microBatches} micro-batches per replica (${perReplica} examples each)`);
  const model = options.costModel ?? DEFAULT_COST_MODEL;
  const profiles = profileBlocks(spec, blocks, microBatch);
  const units = placementUnits(profiles, spec.optimizer.kind, model);
  const ranges = placeStages(units, stageCount, options.deviceMemory, `pipeline of ${blocks.length} layers`);
  const evalBatchSize = spec.evalBatchSize ?? spec.batchSize;
  const compileOptions = spec.limits ? { limits: spec.limits } : {};

  const stages: PipelineStage[] = ranges.map((range, s) => {
    const last = s === ranges.length - 1;
    const stageBlocks = blocks.slice(range.first, range.end);
    const input: CutTensor | undefined = s === 0 ? undefined : { name: STAGE_INPUT, ...profiles[range.first - 1].output };
    const output: CutTensor | undefined = last ? undefined : { name: STAGE_OUTPUT, ...profiles[range.end - 1].output };
    const parameters = unique(profiles.slice(range.first, range.end).flatMap((p) => p.parameters));
    const trainable = parameters.filter((p) => p.trainable);
    const graphs: Graph[] = [];
    if (!last) graphs.push(forwardGraph(spec, stageBlocks, s, input, microBatch, 'forward', 'train'));
    graphs.push(backwardGraph(spec, stageBlocks, s, input, output, microBatch, trainable, parameters));
    const apply = applyGraph(spec, trainable, { accumulate: microBatches, inputs: replicas > 1 });
    graphs.push(apply.graph);
    graphs.push(forwardGraph(spec, stageBlocks, s, input, evalBatchSize, 'eval', 'eval', last));
    const phased = compilePhases(`stage${s}`, graphs, compileOptions);
    const r = phased.plan.regionBytes;
    const memoryBytes = phasedDeviceBytes(phased);
    const blocksName = stageRangeName(units, range);
    if (options.deviceMemory !== undefined && memoryBytes > options.deviceMemory) {
      throw new OutOfMemoryError(
        `pipeline stage ${s} (${blocksName}) needs ${memoryBytes} bytes once compiled (states ${r.states}, constants ${r.constants}, arena ${r.arena}), more than the ${options.deviceMemory} bytes of device memory allowed`,
      );
    }
    const cost = sumCosts(profiles.slice(range.first, range.end));
    const inFlight = schedule === 'gpipe' ? microBatches : Math.min(microBatches, ranges.length - s);
    // Saved as the host arrays received from the stage before.
    const inputBytes = (input ? numel(input.exampleShape) * hostBytesPerElement(input.dtype) : 0) * microBatch;
    return {
      index: s,
      phased,
      input,
      output,
      parameters: trainable.map((p) => p.name),
      buffers: parameters.filter((p) => !p.trainable).map((p) => p.name),
      optimizerStates: apply.optimizerStates,
      accumulators: trainable.map((p) => accumulatorName(p.name)),
      gradientInputs: replicas > 1 ? trainable.map((p) => gradientName(p.name)) : [],
      estimate: {
        blocks: blocksName,
        flops: cost.flops,
        bytes: cost.bytes,
        ms: costMs(cost, model) * (last ? 3 : 4),
        memoryBytes,
        stateBytes: r.states,
        arenaBytes: r.arena,
        savedActivationBytes: inFlight * inputBytes,
      },
    };
  });

  const named = spec.model.parameters();
  return {
    format: PIPELINE_FORMAT,
    version: PARALLEL_PROGRAM_VERSION,
    devices: replicas * stages.length,
    globalBatch: spec.batchSize,
    evalBatchSize,
    input: { name: INPUT, dtype: spec.input.dtype ?? 'f32', exampleShape: [...spec.input.shape] },
    target: { name: TARGET, dtype: spec.target.dtype ?? 'f32', exampleShape: [...spec.target.shape] },
    accuracy: spec.accuracy ?? false,
    parameters: named.filter((p) => p.trainable).map((p) => p.name),
    buffers: named.filter((p) => !p.trainable).map((p) => p.name),
    optimizerStates: stages.flatMap((s) => s.optimizerStates),
    stepState: STEP_STATE,
    stages,
    replicas,
    microBatches,
    microBatch,
    schedule,
  };
}

/**
 * The layers as the placement pass weighs them: each keeps its parameters for the whole run
 * (a trainable one `slots` times over: value, gradient accumulator and the optimizer's moments,
 * all of its dtype; a buffer once), and needs twice its activations at its peak.
 */
export function placementUnits(profiles: readonly BlockProfile[], optimizer: string, model: CostModel): PlacementUnit[] {
  const slots = 2 + (MOMENTS[optimizer] ?? 2);
  return profiles.map((p, i) => ({
    name: p.name,
    ms: costMs(p, model),
    fixedBytes: p.parameters.reduce((s, q) => s + (q.trainable ? slots : 1) * deviceBytes(q.dtype, q.shape), 0),
    peakBytes: 2 * p.activationBytes,
    cutBefore: i === 0 || !p.parameters.some((q) => profiles.slice(0, i).some((e) => e.parameters.includes(q))),
  }));
}

/** Traces the layers one after another on a micro-batch: each one's cost, parameters and output. */
export function profileBlocks(spec: TrainingSpec, blocks: readonly Module[], batch: number): BlockProfile[] {
  const trace = new Trace('profile', { mode: 'train', seed: spec.seed ?? 0 });
  let h = trace.input(INPUT, spec.input.dtype ?? 'f32', [batch, ...spec.input.shape]);
  return blocks.map((block, i) => {
    const before = trace.graph.nodes.length;
    h = block.call(h);
    if (i === blocks.length - 1) spec.loss(h, trace.input(TARGET, spec.target.dtype ?? 'f32', [batch, ...spec.target.shape]), 'mean');
    const nodes = trace.graph.nodes.slice(before);
    const shape = h.shape;
    if (!shape.every((d): d is number => typeof d === 'number')) throw new GraphError(`layer ${i}: its output shape is not static`);
    // A parameter belongs to every layer whose nodes read it (weights shared by two layers keep them together).
    const read = new Set(nodes.flatMap((n) => n.inputs));
    const parameters = [...trace.parameters].filter(([, v]) => read.has(v)).map(([p]) => p);
    const elements = (v: { type: { shape: readonly (number | string)[] } }) => v.type.shape.reduce((a: number, d) => a * (typeof d === 'number' ? d : 1), 1);
    return {
      name: block.path || `layers.${i}`,
      ...sumCosts(nodes.map(nodeCost)),
      parameters,
      output: { dtype: h.dtype, exampleShape: shape.slice(1) },
      activationBytes: nodes.reduce((s, n) => s + n.outputs.reduce((t, v) => t + elements(v) * deviceBytesPerElement(v.type.dtype), 0), 0),
    };
  });
}

function dataInput(trace: Trace, spec: TrainingSpec, stage: number, input: CutTensor | undefined, batch: number): Tensor {
  return stage === 0 ? trace.input(INPUT, spec.input.dtype ?? 'f32', [batch, ...spec.input.shape]) : trace.input(STAGE_INPUT, input!.dtype, [batch, ...input!.exampleShape]);
}

/** The stage's layers on its input: the output sent on, or on the last stage (eval) the per-example loss, correct and prediction. */
function forwardGraph(spec: TrainingSpec, blocks: readonly Module[], stage: number, input: CutTensor | undefined, batch: number, name: string, mode: 'train' | 'eval', last = false): Graph {
  const trace = new Trace(name, { mode, seed: spec.seed ?? 0 });
  const h = blocks.reduce((t, b) => b.call(t), dataInput(trace, spec, stage, input, batch));
  if (!last) {
    trace.output(h, STAGE_OUTPUT);
    return trace.graph;
  }
  const y = trace.input(TARGET, spec.target.dtype ?? 'f32', [batch, ...spec.target.shape]);
  trace.output(h, 'prediction');
  trace.output(spec.loss(h, y, 'none'), 'loss');
  if (spec.accuracy) trace.output(correct(h, y), 'correct');
  return trace.graph;
}

/**
 * The stage's backward on one micro-batch: its forward again from the saved input (GPipe's
 * re-materialization), then the vector-Jacobian product with the output's gradient (on the
 * last stage: the loss's own gradient), parameter gradients added to the accumulators.
 */
function backwardGraph(
  spec: TrainingSpec,
  blocks: readonly Module[],
  stage: number,
  input: CutTensor | undefined,
  output: CutTensor | undefined,
  batch: number,
  trainable: readonly Parameter[],
  parameters: readonly Parameter[],
): Graph {
  const trace = new Trace('backward', { mode: 'train', seed: spec.seed ?? 0 });
  const h = dataInput(trace, spec, stage, input, batch);
  const out = blocks.reduce((t, b) => b.call(t), h);
  let target: Tensor;
  let seed: Tensor | undefined;
  if (!output) {
    const y = trace.input(TARGET, spec.target.dtype ?? 'f32', [batch, ...spec.target.shape]);
    target = spec.loss(out, y, 'mean');
    if (target.rank !== 0) throw new UsageError(`the loss must be a scalar, got ${target}`);
    trace.output(target, 'loss');
    if (spec.accuracy) trace.output(correct(out, y).sum(), 'correct');
  } else {
    target = out;
    seed = trace.input(gradientName(STAGE_OUTPUT), output.dtype, [batch, ...output.exampleShape]);
    // The forward phase already updated the running statistics for this micro-batch.
    const buffers = new Set(parameters.filter((p) => !p.trainable).map((p) => p.name));
    for (const state of [...trace.graph.stateUpdates.keys()]) if (buffers.has(state.name)) trace.graph.stateUpdates.delete(state);
  }
  const values = trainable.map((p) => trace.param(p));
  const grads = grad(target, stage === 0 ? values : [h, ...values], seed);
  if (stage > 0) {
    const dh = grads.shift();
    if (!dh) throw new GraphError(`pipeline stage ${stage}: its output does not depend on its input`);
    trace.output(dh, gradientName(STAGE_INPUT));
  }
  trainable.forEach((p, i) => {
    const acc = trace.state(accumulatorName(p.name), { dtype: p.dtype, shape: [...p.shape], data: new Float32Array(numel(p.shape)) });
    const g = grads[i];
    trace.updateState(acc, g ? acc.add(g) : acc);
  });
  return trace.graph;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
