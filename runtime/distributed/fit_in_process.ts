import { writeFile } from 'node:fs/promises';
import type { TensorData } from '../../ir/dtype.js';
import type { ParallelTrainingProgram } from '../../ir/parallel_program.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { EpochRecord } from '../training/curves.js';
import type { ArrayDataset } from '../training/dataset.js';
import type { Evaluation } from '../training/trainer.js';
import { launchInProcess, siblingModule, valuesOrThrow } from './launch_in_process.js';
import type { RankFitOptions, RankFitResult, RecoveryRecord } from './rank_fit.js';
import type { WorldOptions } from './shared_world.js';
import { renderTimeline } from './timeline_svg.js';
import type { ArrayData, TrainRankInput } from './train_rank.js';

/** Plain data only (it crosses to the worker threads): no `afterStep` callback. */
export interface InProcessFitOptions extends Omit<RankFitOptions, 'validation' | 'test' | 'afterStep'> {
  readonly validation?: ArrayDataset;
  readonly test?: ArrayDataset;
  /** Writes every rank's timeline as an SVG here (records the timeline). */
  readonly timelineSvg?: string;
  readonly communicator?: WorldOptions;
}

export interface InProcessFitResult {
  readonly history: EpochRecord[];
  /** Every state of the model under single-device names: loads into a single-device Trainer. */
  readonly states: Record<string, HostTensor>;
  readonly test?: Evaluation;
  readonly recoveries: RecoveryRecord[];
  readonly ranks: RankFitResult[];
}

/**
 * Trains a parallel program on this host: one worker thread and one device per rank, the data
 * shared between them (copied once into SharedArrayBuffers).
 */
export async function fitInProcess(program: ParallelTrainingProgram, data: ArrayDataset, options: InProcessFitOptions): Promise<InProcessFitResult> {
  const { validation, test, timelineSvg, communicator, ...rest } = options;
  const input: TrainRankInput = {
    program,
    train: share(data),
    ...(validation ? { validation: share(validation) } : {}),
    ...(test ? { test: share(test) } : {}),
    options: { ...rest, timeline: rest.timeline ?? timelineSvg !== undefined },
  };
  const entry = { module: siblingModule('train_rank'), name: 'trainRank' };
  const ranks = valuesOrThrow(await launchInProcess<RankFitResult>(entry, input, { ...communicator, size: program.devices }));
  if (timelineSvg) await writeFile(timelineSvg, renderTimeline(ranks.map((r) => ({ rank: r.rank, events: r.timeline }))));
  const root = ranks[0];
  return { history: root.history, states: root.states ?? {}, ...(root.test ? { test: root.test } : {}), recoveries: root.recoveries, ranks };
}

function share(data: ArrayDataset): ArrayData {
  return { x: shared(data.x), y: shared(data.y), inputElements: data.inputElements, targetElements: data.targetElements };
}

function shared<T extends TensorData>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}
