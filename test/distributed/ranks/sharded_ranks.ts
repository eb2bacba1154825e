import { unlinkSync } from 'node:fs';
import type { ParallelTrainingProgram } from '../../../ir/parallel_program.js';
import type { HostTensor } from '../../../ir/tensor.js';
import type { Communicator } from '../../../runtime/distributed/communicator.js';
import { fitRank } from '../../../runtime/distributed/rank_fit.js';
import { loadRank } from '../../../runtime/distributed/train_rank.js';
import { ParquetDataset } from '../../../runtime/data/parquet_dataset.js';
import type { ParquetSchema } from '../../../runtime/data/parquet_schema.js';

/**
 * A rank entry (run in a worker thread by launchInProcess) that trains on its own share of
 * Parquet shards, as an MPI rank does. With `removeAfterOpen`, rank 0 deletes that shard once
 * every rank has opened the data set: the failure of a shard during training.
 */
export const SHARD_SEED = 1;

export interface ShardedRankInput {
  readonly program: ParallelTrainingProgram;
  readonly shards: string;
  readonly schema: ParquetSchema;
  readonly removeAfterOpen?: string;
}

export interface ShardedRankResult {
  readonly steps: number;
  /** Rank 0: the model's states under single-device names. */
  readonly states?: Record<string, HostTensor>;
}

export async function shardedTrainRank(comm: Communicator, input: ShardedRankInput): Promise<ShardedRankResult> {
  const data = await ParquetDataset.open(input.shards, { rank: comm.rank, size: comm.size, schema: input.schema });
  await comm.barrier();
  if (input.removeAfterOpen && comm.rank === 0) unlinkSync(input.removeAfterOpen);
  await comm.barrier();
  const engine = await loadRank(comm, input.program);
  try {
    const result = await fitRank(engine, data, { epochs: 1, seed: SHARD_SEED });
    return { steps: result.steps, ...(result.states ? { states: result.states } : {}) };
  } finally {
    await engine.close();
    await data.close();
  }
}
