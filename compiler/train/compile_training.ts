import type { Dim, DType, Graph, StaticShape } from '../../ir/index.js';
import { isSymbolName, UsageError } from '../../ir/index.js';
import type { TrainingProgram } from '../../ir/training_plan.js';
import { TRAINING_FORMAT } from '../../ir/training_plan.js';
import { grad } from '../autodiff/index.js';
import type { CompileOptions } from '../compile.js';
import { compile } from '../compile.js';
import type { LossFn } from '../dsl/losses.js';
import { correct } from '../dsl/losses.js';
import type { Module } from '../dsl/module.js';
import type { Tensor } from '../dsl/tensor.js';
import { STEP_STATE, Trace } from '../dsl/trace.js';
import type { Optimizer } from '../optim/optimizers.js';
import type { ParameterGradient } from '../optim/apply.js';
import { applyOptimizer } from '../optim/apply.js';

export interface ExampleSpec {
  /** Shape of one example; the batch axis is added in front. */
  readonly shape: StaticShape;
  readonly dtype?: DType;
}

export interface TrainingSpec {
  readonly model: Module;
  readonly input: ExampleSpec;
  /** Integer labels (i32) or float targets. */
  readonly target: ExampleSpec;
  readonly loss: LossFn;
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  /** Batch of the evaluation plan (default: batchSize). */
  readonly evalBatchSize?: number;
  /**
   * The batch as a symbolic dim of this name (e.g. 'batch'): both plans compiled once run at any
   * batch size (the Trainer feeds batchSize rows, and the evaluation's last batch as it is).
   */
  readonly batchDim?: string;
  /** Seeds parameter initialization (parameters not yet initialized) and dropout. */
  readonly seed?: number;
  /** Measure accuracy (classification: argmax vs labels or one-hot targets; binary: sign). */
  readonly accuracy?: boolean;
  /** The device's limits (`DawnDevice.limits`). */
  readonly limits?: CompileOptions['limits'];
}

/** How to compile a training program, beyond what its spec says. */
export interface TrainingCompileOptions {
  /**
   * The most bytes the training step's arena may take: past it, activations are recomputed in
   * the backward pass instead of kept (compiler/remat); a budget that cannot be met is an
   * OutOfMemoryError naming it and the smallest arena reached. The evaluation plan has no budget.
   */
  readonly memoryBudget?: number;
}

/** The names of a training graph's data inputs: the batch of examples and its targets. */
export const INPUT = 'x';
export const TARGET = 'y';

function prepare(spec: TrainingSpec): void {
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) throw new UsageError(`batchSize ${spec.batchSize} must be a positive integer`);
  if (spec.batchDim !== undefined && !isSymbolName(spec.batchDim)) throw new UsageError(`batchDim '${spec.batchDim}' is not a name a dim can have (letters, digits, _)`);
  for (const p of spec.model.parameters()) if (!p.initialized) p.initialize(spec.seed ?? 0);
}

function inputs(trace: Trace, spec: TrainingSpec, batch: Dim): { x: Tensor; y: Tensor } {
  return {
    x: trace.input(INPUT, spec.input.dtype ?? 'f32', [batch, ...spec.input.shape]),
    y: trace.input(TARGET, spec.target.dtype ?? 'f32', [batch, ...spec.target.shape]),
  };
}

/**
 * What every training graph starts with (this step, and the gradient phase of parallel training):
 * the data inputs at `batch`, the forward in training mode, the mean loss (and the correct count)
 * as outputs, and each trainable parameter with its gradient (null where the loss does not reach it).
 */
export function traceLossGradients(trace: Trace, spec: TrainingSpec, batch: Dim): ParameterGradient[] {
  const { x, y } = inputs(trace, spec, batch);
  const prediction = spec.model.call(x);
  const loss = spec.loss(prediction, y, 'mean');
  if (loss.rank !== 0) throw new UsageError(`the loss must be a scalar, got ${loss}`);
  trace.output(loss, 'loss');
  if (spec.accuracy) trace.output(correct(prediction, y).sum(), 'correct');
  const trainable = [...trace.parameters].filter(([p]) => p.trainable);
  const values = trainable.map(([, v]) => trace.wrap(v));
  const grads = grad(loss, values);
  return trainable.map(([parameter], i) => ({ parameter, value: values[i], grad: grads[i] }));
}

/**
 * The training step as a graph: forward (training mode), mean loss, gradients of every
 * trainable parameter, the optimizer's updates and the step counter's increment, all as state
 * updates. Outputs: loss, correct (count, with accuracy), gradNorm, finite, gradientFinite.
 */
export function buildTrainingGraph(spec: TrainingSpec): { graph: Graph; optimizerStates: string[]; gradientNames: string[] } {
  prepare(spec);
  const trace = new Trace('train_step', { mode: 'train', seed: spec.seed ?? 0 });
  const gradients = traceLossGradients(trace, spec, spec.batchDim ?? spec.batchSize);
  const step = trace.stepCounter();
  const result = applyOptimizer(trace, spec.optimizer, gradients, step);
  trace.updateState(step, step.add(1));
  trace.output(result.gradNorm, 'gradNorm');
  trace.output(result.finite, 'finite');
  if (result.gradientFinite) trace.output(result.gradientFinite, 'gradientFinite');
  return { graph: trace.graph, optimizerStates: [...result.stateNames], gradientNames: [...result.gradientNames] };
}

/** The evaluation graph: forward (eval mode), per-example loss and correctness, the prediction. */
export function buildEvalGraph(spec: TrainingSpec): Graph {
  prepare(spec);
  const trace = new Trace('eval_step', { mode: 'eval', seed: spec.seed ?? 0 });
  const { x, y } = inputs(trace, spec, spec.batchDim ?? spec.evalBatchSize ?? spec.batchSize);
  const prediction = spec.model.call(x);
  trace.output(prediction, 'prediction');
  trace.output(spec.loss(prediction, y, 'none'), 'loss');
  if (spec.accuracy) trace.output(correct(prediction, y), 'correct');
  return trace.graph;
}

/**
 * Compiles (model, loss, optimizer) once into a TrainingProgram: the step and evaluation
 * plans sharing parameter names. runtime/training's Trainer runs it.
 */
export function compileTraining(spec: TrainingSpec, compileOptions: TrainingCompileOptions = {}): TrainingProgram {
  const { graph, optimizerStates, gradientNames } = buildTrainingGraph(spec);
  const evalGraph = buildEvalGraph(spec);
  const options = spec.limits ? { limits: spec.limits } : {};
  const train = compile(graph, { ...options, ...(compileOptions.memoryBudget !== undefined ? { memoryBudget: compileOptions.memoryBudget } : {}) });
  const evaluation = compile(evalGraph, options);
  const named = spec.model.parameters().filter((p) => [...graph.states.keys()].some((v) => v.name === p.name));
  return {
    format: TRAINING_FORMAT,
    version: 1,
    train,
    eval: evaluation,
    batchSize: spec.batchSize,
    evalBatchSize: spec.evalBatchSize ?? spec.batchSize,
    ...(spec.batchDim ? { batchDim: spec.batchDim } : {}),
    input: { name: INPUT, dtype: spec.input.dtype ?? 'f32', exampleShape: [...spec.input.shape] },
    target: { name: TARGET, dtype: spec.target.dtype ?? 'f32', exampleShape: [...spec.target.shape] },
    accuracy: spec.accuracy ?? false,
    parameters: named.filter((p) => p.trainable).map((p) => p.name),
    buffers: named.filter((p) => !p.trainable).map((p) => p.name),
    optimizerStates,
    gradientNames,
    stepState: STEP_STATE,
  };
}
