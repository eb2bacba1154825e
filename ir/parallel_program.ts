import type { DType } from './dtype.js';
import type { PhasedPlan } from './phased_plan.js';
import type { Plan } from './plan.js';
import type { StaticShape } from './shape.js';
import type { TrainingProgram } from './training_plan.js';

/**
 * Programs that train or run one model over several devices, as plain data (like
 * `TrainingProgram`): the compiler writes them, runtime/distributed runs them, one rank per
 * device, each rank holding the same program and picking its part by its rank.
 *
 * State names are those of single-device training (parameters, `<param>/<optimizer>.<moment>`,
 * `step`), so a checkpoint moves between a parallel run and a single-device one.
 */
export const DATA_PARALLEL_FORMAT = 'dawnflow-data-parallel';
export const PIPELINE_FORMAT = 'dawnflow-pipeline';
export const INFERENCE_PIPELINE_FORMAT = 'dawnflow-inference-pipeline';
export const PARALLEL_PROGRAM_VERSION = 1;

/**
 * What every parallel training program shares with a single-device `TrainingProgram` (the same
 * fields; `evalBatchSize` is the examples per evaluation run on one rank).
 */
export interface ParallelTrainingSignature
  extends Pick<TrainingProgram, 'version' | 'evalBatchSize' | 'input' | 'target' | 'accuracy' | 'parameters' | 'buffers' | 'optimizerStates' | 'stepState'> {
  /** Ranks the program runs on. */
  readonly devices: number;
  /** Examples per optimizer step, over all ranks: what a single-device run's batch would be. */
  readonly globalBatch: number;
}

/** Gradients all-reduced together, as one contiguous f32 block. */
export interface GradientBucket {
  /** The 'grads' phase outputs in the bucket, in the bucket's order. */
  readonly outputs: readonly string[];
  /** The 'apply' phase inputs that take the reduced values, same order. */
  readonly inputs: readonly string[];
  readonly elements: number;
  /** The carrier plan step after which every gradient of the bucket is final. */
  readonly readyAfterStep: number;
}

/**
 * Data parallelism: every rank runs the same step on its `localBatch` slice of the global
 * batch. Phases: 'grads' (x, y → loss, correct, one output per gradient), 'apply' (the reduced
 * gradients → the optimizer's update and the step counter's increment), 'eval' (x, y →
 * per-example loss, correct and the prediction).
 */
export interface DataParallelProgram extends ParallelTrainingSignature {
  readonly format: typeof DATA_PARALLEL_FORMAT;
  readonly localBatch: number;
  readonly phased: PhasedPlan;
  /** In reduction order: reverse layer order, as PyTorch DDP, each up to the bucket size. */
  readonly buckets: readonly GradientBucket[];
  readonly bucketBytes: number;
}

export type PipelineSchedule = 'gpipe' | '1f1b';

/** A tensor crossing a cut between stages, per example (the batch axis comes first). */
export interface CutTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly exampleShape: StaticShape;
}

/** Estimated work and memory of a stage (the placement pass's numbers). */
export interface StageEstimate {
  /** Blocks (layers) of the model the stage holds, e.g. 'layers.0–layers.2'. */
  readonly blocks: string;
  /** Forward FLOPs and bytes touched per micro-batch. */
  readonly flops: number;
  readonly bytes: number;
  /** Estimated ms per micro-batch (forward, recomputation and backward) under the cost model. */
  readonly ms: number;
  /** Device bytes once compiled: states (parameters, optimizer, accumulators), constants, largest arena. */
  readonly memoryBytes: number;
  readonly stateBytes: number;
  readonly arenaBytes: number;
  /** Stage inputs kept (on the host) for the backward pass, at the schedule's peak. */
  readonly savedActivationBytes: number;
}

/**
 * One pipeline stage. Phases: 'forward' (the stage input → its output; not on the last stage),
 * 'backward' (the stage input and its output's gradient → the input's gradient, parameter
 * gradients added to the accumulators; it recomputes the stage's forward first, as GPipe
 * re-materializes; on the last stage the forward, the loss and the backward in one), 'apply'
 * (accumulated gradients → the optimizer's update; with replicas it takes the gradients
 * reduced over them as inputs instead), 'eval' (the forward in evaluation mode, batch
 * `evalBatchSize`; on the last stage per-example loss, correct and prediction).
 */
export interface PipelineStage {
  readonly index: number;
  readonly phased: PhasedPlan;
  /** What the stage receives (none on the first stage, which reads the data). */
  readonly input: CutTensor | undefined;
  /** What it sends on (none on the last stage). */
  readonly output: CutTensor | undefined;
  readonly parameters: readonly string[];
  readonly buffers: readonly string[];
  readonly optimizerStates: readonly string[];
  /** Gradient accumulator state of each parameter (same order); not part of checkpoints. */
  readonly accumulators: readonly string[];
  /** With replicas: the 'apply' inputs taking each parameter's reduced gradient (same order). */
  readonly gradientInputs: readonly string[];
  readonly estimate: StageEstimate;
}

/**
 * Pipeline parallelism, optionally replicated: `replicas` copies of a pipeline of
 * `stages.length` stages (rank = replica · stages + stage). Each replica takes its slice of the
 * global batch in `microBatches` micro-batches of `microBatch` examples; parameter gradients
 * accumulate over them and, with replicas, are averaged over the replicas of the same stage.
 */
export interface PipelineProgram extends ParallelTrainingSignature {
  readonly format: typeof PIPELINE_FORMAT;
  readonly stages: readonly PipelineStage[];
  readonly replicas: number;
  readonly microBatches: number;
  readonly microBatch: number;
  readonly schedule: PipelineSchedule;
}

export type ParallelTrainingProgram = DataParallelProgram | PipelineProgram;

/** A tensor of a stage's signature with its full shape. */
export interface StageTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: StaticShape;
}

/** One stage of an inference pipeline: a plain Plan. */
export interface InferenceStage {
  readonly index: number;
  readonly plan: Plan;
  /** From the previous stage (the first stage: the model's inputs). */
  readonly receives: readonly StageTensor[];
  /** To the next stage (the last stage: the model's outputs). */
  readonly sends: readonly StageTensor[];
  readonly estimate: Omit<StageEstimate, 'stateBytes' | 'savedActivationBytes'>;
}

/** A model split into stages on as many devices; a stream of batches flows through them. */
export interface InferencePipelineProgram {
  readonly format: typeof INFERENCE_PIPELINE_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly stages: readonly InferenceStage[];
  readonly inputs: readonly StageTensor[];
  readonly outputs: readonly StageTensor[];
}
