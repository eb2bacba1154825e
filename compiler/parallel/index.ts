import { UsageError } from '../../ir/index.js';
import type { ParallelTrainingProgram, PipelineSchedule } from '../../ir/parallel_program.js';
import type { TrainingSpec } from '../train/compile_training.js';
import type { CostModel } from './cost.js';
import { compileDataParallel } from './data_parallel.js';
import { compilePipeline } from './pipeline.js';

/** Parallel training and inference over several devices: the compiler side (see docs/parallel.md). */

export type ParallelStrategy = 'data' | 'pipeline' | { readonly data: number; readonly pipeline: number };

export interface ParallelOptions {
  readonly devices: number;
  /** 'data' (default): every device the whole model; 'pipeline': one stage per device; or replicas × stages. */
  readonly strategy?: ParallelStrategy;
  /** Pipeline: micro-batches per replica and step (default: the stage count). */
  readonly microBatches?: number;
  readonly schedule?: PipelineSchedule;
  /** Data parallel: gradient bytes per all-reduce bucket. */
  readonly bucketBytes?: number;
  /** Bytes one device may hold; a program that needs more is refused at compile time. */
  readonly deviceMemory?: number;
  readonly costModel?: CostModel;
}

/** Compiles a training spec (its batchSize is the global batch) for `devices` ranks. */
export function compileParallelTraining(spec: TrainingSpec, options: ParallelOptions): ParallelTrainingProgram {
  const { devices } = options;
  if (!Number.isInteger(devices) || devices < 1) throw new UsageError(`devices must be a whole number >= 1, got ${devices}`);
  const strategy = options.strategy ?? 'data';
  if (strategy === 'data') return compileDataParallel(spec, { devices, bucketBytes: options.bucketBytes, deviceMemory: options.deviceMemory });
  const [replicas, stages] = strategy === 'pipeline' ? [1, devices] : [strategy.data, strategy.pipeline];
  if (typeof strategy === 'object' && replicas * stages !== devices) {
    throw new UsageError(`strategy { data: ${replicas}, pipeline: ${stages} } needs ${replicas * stages} devices, not ${devices}`);
  }
  return compilePipeline(spec, { stages, replicas, microBatches: options.microBatches, schedule: options.schedule, deviceMemory: options.deviceMemory, costModel: options.costModel });
}

export { compileDataParallel, DEFAULT_BUCKET_BYTES, splitBatch } from './data_parallel.js';
export type { DataParallelOptions } from './data_parallel.js';
export { compilePipeline } from './pipeline.js';
export type { PipelineOptions } from './pipeline.js';
export { compileInferencePipeline, placeInference } from './inference_pipeline.js';
export type { InferencePipelineOptions, InferencePlacement } from './inference_pipeline.js';
export { DEFAULT_COST_MODEL, nodeCost } from './cost.js';
export type { CostModel, NodeCost } from './cost.js';
export { compilePhases, mergePhases } from './phased.js';
export { formatPipelinePlan } from './plan_summary.js';
