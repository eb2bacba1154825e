import type { TensorData } from '../../ir/dtype.js';
import { UsageError } from '../../ir/errors.js';
import type { ParallelTrainingProgram } from '../../ir/parallel_program.js';
import { DATA_PARALLEL_FORMAT, PIPELINE_FORMAT } from '../../ir/parallel_program.js';
import type { DawnDevice } from '../device.js';
import { ArrayDataset } from '../training/dataset.js';
import type { Communicator } from './communicator.js';
import { DataParallelRank } from './data_parallel_rank.js';
import { PipelineRank } from './pipeline_rank.js';
import type { RankEngine } from './rank_engine.js';
import { fitRank, type RankFitOptions, type RankFitResult } from './rank_fit.js';

/**
 * The per-rank entry of parallel training, the same whichever launcher started the rank:
 * `launchInProcess` (a worker thread per rank) or MPI (a process per rank, its communicator
 * from the MPI addon). `loadRank` is the low-level piece for custom loops.
 */

/** Examples as typed arrays (often over SharedArrayBuffers, shared by every in-process rank). */
export interface ArrayData {
  readonly x: TensorData;
  readonly y: TensorData;
  /** Element counts of one example's input and target. */
  readonly inputElements: number;
  readonly targetElements: number;
}

export interface TrainRankInput {
  readonly program: ParallelTrainingProgram;
  readonly train: ArrayData;
  readonly validation?: ArrayData;
  readonly test?: ArrayData;
  readonly options: Omit<RankFitOptions, 'validation' | 'test'>;
}

/** This rank's part of a parallel program, loaded on a device of its own. */
export function loadRank(comm: Communicator, program: ParallelTrainingProgram, options: { readonly device?: DawnDevice; readonly timeline?: boolean } = {}): Promise<RankEngine> {
  switch (program.format) {
    case DATA_PARALLEL_FORMAT:
      return DataParallelRank.load(comm, program, options);
    case PIPELINE_FORMAT:
      return PipelineRank.load(comm, program, options);
    default:
      throw new UsageError(`not a parallel training program (format '${String((program as { format: unknown }).format)}')`);
  }
}

export function arrayDataset(data: ArrayData): ArrayDataset {
  return new ArrayDataset(data.x, data.y, [data.inputElements], [data.targetElements]);
}

export async function trainRank(comm: Communicator, input: TrainRankInput): Promise<RankFitResult> {
  const engine = await loadRank(comm, input.program, { timeline: input.options.timeline });
  try {
    return await fitRank(engine, arrayDataset(input.train), {
      ...input.options,
      ...(input.validation ? { validation: arrayDataset(input.validation) } : {}),
      ...(input.test ? { test: arrayDataset(input.test) } : {}),
    });
  } finally {
    await engine.close();
  }
}
