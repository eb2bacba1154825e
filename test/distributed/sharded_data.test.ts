import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { compileParallelTraining } from '../../compiler/parallel/index.js';
import type { ParallelTrainingProgram } from '../../ir/parallel_program.js';
import type { ParquetSchema } from '../../runtime/data/parquet_schema.js';
import { launchInProcess, valuesOrThrow } from '../../runtime/distributed/launch_in_process.js';
import { FEATURES, teacherData } from '../train/fixtures.js';
import { compileTraining } from '../../compiler/train/index.js';
import { ParquetDataset } from '../../runtime/data/parquet_dataset.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { Trainer } from '../../runtime/training/index.js';
import { GLOBAL_BATCH, mlpSpec, PARAMETERS, relativeDifference } from './fixtures.js';
import { SHARD_SEED, type ShardedRankInput, type ShardedRankResult } from './ranks/sharded_ranks.js';

/**
 * Data-parallel training on per-rank Parquet shards (fitRank with a RankShards data set, as
 * examples/distributed_rank.ts runs under MPI), here in worker threads: what bad data does to
 * a running job — one typed one-line error naming the file, and no rank left waiting.
 */
const SCHEMA: ParquetSchema = {
  input: { dtype: 'f32', columns: [{ column: 'x', kind: 'list', length: FEATURES }] },
  target: { dtype: 'i32', columns: [{ column: 'label', kind: 'number' }] },
};

/** `files` shards of `rows` teacher examples each, in row groups of `group`. */
function writeShards(files: number, rows: number, group: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'dawnflow-sharded-'));
  const { x, y } = teacherData(files * rows, 3);
  for (let f = 0; f < files; f++) {
    const ids = Array.from({ length: rows }, (_, i) => f * rows + i);
    parquetWriteFile({
      filename: join(dir, `part-${f}.parquet`),
      rowGroupSize: group,
      columnData: [
        { name: 'x', data: ids.map((id) => Array.from(x.subarray(id * FEATURES, (id + 1) * FEATURES))) },
        { name: 'label', data: Int32Array.from(ids, (id) => y[id]) },
      ],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'x', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
        { name: 'label', type: 'INT32', repetition_type: 'REQUIRED' },
      ],
    });
  }
  return dir;
}

const entry = { module: new URL('./ranks/sharded_ranks.ts', import.meta.url).href, name: 'shardedTrainRank' };
const program = (strategy: 'data' | 'pipeline'): ParallelTrainingProgram => compileParallelTraining(mlpSpec(6), { devices: 2, strategy, microBatches: 4 });

async function failure(input: ShardedRankInput): Promise<Error & { code?: string }> {
  const outcome = await launchInProcess<ShardedRankResult>(entry, input, { size: 2 }).then(valuesOrThrow).then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );
  expect(outcome, 'expected the job to fail').toBeDefined();
  expect(outcome!.message.includes('\n')).toBe(false);
  return outcome!;
}

describe('per-rank Parquet shards in a data-parallel job', () => {
  it("trains as one device does on the global batches the ranks' local batches make up", async () => {
    const shards = writeShards(2, 2 * GLOBAL_BATCH, GLOBAL_BATCH / 2);
    const ranks = valuesOrThrow(await launchInProcess<ShardedRankResult>(entry, { program: program('data'), shards, schema: SCHEMA } satisfies ShardedRankInput, { size: 2 }));
    // 8 groups of 12 rows, 4 per rank: 48 examples per rank and epoch, local batches of 12.
    expect(ranks.map((r) => r.steps)).toEqual([4, 4]);
    // The oracle: a single device stepping through [rank 0's local batch, rank 1's] in each rank's own order.
    const local = GLOBAL_BATCH / 2;
    const views = await Promise.all([0, 1].map((rank) => ParquetDataset.open(shards, { rank, size: 2, schema: SCHEMA })));
    const device = await getDefaultDevice();
    const trainer = await Trainer.load(compileTraining({ ...mlpSpec(6), limits: device.limits }), device);
    try {
      const orders = views.map((v) => v.epochOrder(0, SHARD_SEED));
      const x = new Float32Array(GLOBAL_BATCH * FEATURES);
      const y = new Int32Array(GLOBAL_BATCH);
      for (let step = 0; step < 4; step++) {
        for (const [r, view] of views.entries()) {
          await view.read(orders[r].slice(step * local, (step + 1) * local), x.subarray(r * local * FEATURES, (r + 1) * local * FEATURES), y.subarray(r * local, (r + 1) * local));
        }
        await trainer.step(x, y).loss();
      }
      const single = await trainer.snapshot();
      for (const name of PARAMETERS) expect(relativeDifference(ranks[0].states![name], single[name]), name).toBeLessThanOrEqual(1e-5);
    } finally {
      trainer.dispose();
      await Promise.all(views.map((v) => v.close()));
    }
  }, 300_000);

  it('a shard deleted during training: the DataError naming the file, on a job that ends', async () => {
    const shards = writeShards(2, 2 * GLOBAL_BATCH, GLOBAL_BATCH / 2);
    const file = join(shards, 'part-1.parquet');
    expect(await failure({ program: program('data'), shards, schema: SCHEMA, removeAfterOpen: file })).toMatchObject({ code: 'DATA', message: `${file}: no such shard` });
  }, 300_000);

  it('fewer examples per rank than a local batch, and shards under a pipeline: UsageErrors', async () => {
    const small = writeShards(2, 10, 5);
    expect(await failure({ program: program('data'), shards: small, schema: SCHEMA })).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^fit: rank \d's 10 examples per epoch make no full local batch of 12 \(global batch 24 over 2 ranks\)$/),
    });
    expect(await failure({ program: program('pipeline'), shards: small, schema: SCHEMA })).toMatchObject({
      code: 'USAGE',
      message: 'fit: data split over the ranks (one share per rank) needs data parallelism; the stages of a pipeline read the same examples',
    });
  }, 300_000);
});
