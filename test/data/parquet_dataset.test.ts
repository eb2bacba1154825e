import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParquetSchema } from '../../runtime/data/index.js';
import { ParquetDataset } from '../../runtime/data/index.js';
import { exampleOf, TEST_SCHEMA, writeShard } from './parquet_shards.js';

const schema = TEST_SCHEMA as unknown as ParquetSchema;
const IN = 13;
const OUT = 2;
const TOTAL = 105;

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dawnflow-parquet-'));
  scratch.push(dir);
  return dir;
}

/** Three shards, four codecs' worth of pages, row groups of 20/20/10, 30, 10/10/5. */
function writeDataset(dir: string): void {
  writeShard(join(dir, 'part-000.parquet'), { firstId: 0, rows: 50, rowGroupSize: 20, codec: 'SNAPPY' });
  writeShard(join(dir, 'part-001.parquet'), { firstId: 50, rows: 30, rowGroupSize: 30, codec: 'ZSTD' });
  writeShard(join(dir, 'part-002.parquet'), { firstId: 80, rows: 25, rowGroupSize: 10, codec: 'GZIP' });
}

async function readAll(ds: ParquetDataset, indices: number[]): Promise<{ x: Float32Array; y: Int32Array }> {
  const x = new Float32Array(indices.length * IN).fill(NaN);
  const y = new Int32Array(indices.length * OUT).fill(-1);
  await ds.read(indices, x, y);
  return { x, y };
}

/** Every row holds exactly what its id says (the id travels in y). Returns the ids in order. */
function checkRows(x: Float32Array, y: Int32Array): number[] {
  const ids: number[] = [];
  for (let row = 0; row < y.length / OUT; row++) {
    const id = y[row * OUT + 1];
    const expected = exampleOf(id);
    expect(Array.from(x.subarray(row * IN, (row + 1) * IN)), `row ${row} (id ${id})`).toEqual(expected.x);
    expect(y[row * OUT]).toBe(expected.y[0]);
    ids.push(id);
  }
  return ids;
}

describe('ParquetDataset', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir();
    writeDataset(dir);
  });

  it('maps numbers, lists and binary columns (snappy, zstd, gzip) to the declared tensors', async () => {
    const ds = await ParquetDataset.open(dir, { schema });
    try {
      expect([ds.size, ds.inputElements, ds.targetElements, ds.examplesPerEpoch]).toEqual([TOTAL, IN, OUT, TOTAL]);
      const { x, y } = await readAll(ds, Array.from({ length: TOTAL }, (_, i) => i));
      // One rank: examples in dataset order (shards by name, row groups in file order).
      expect(checkRows(x, y)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
      // Random access, repeats included.
      const picks = [104, 0, 57, 57, 20, 3];
      const again = await readAll(ds, picks);
      expect(checkRows(again.x, again.y)).toEqual(picks);
    } finally {
      await ds.close();
    }
  });

  it('splits whole row groups over ranks: disjoint, complete, balanced, the same count per epoch', async () => {
    const ranks = 3;
    const datasets = await Promise.all(Array.from({ length: ranks }, (_, rank) => ParquetDataset.open(dir, { schema, rank, size: ranks })));
    try {
      const seen: number[] = [];
      for (const ds of datasets) {
        const { x, y } = await readAll(ds, Array.from({ length: ds.size }, (_, i) => i));
        const ids = checkRows(x, y);
        seen.push(...ids);
        // A rank's examples are exactly its row groups' rows.
        expect(ds.size).toBe(ds.groups.reduce((n, g) => n + g.rows, 0));
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
      const sizes = datasets.map((d) => d.size);
      // Groups of 30, 20, 20, 10, 10, 10, 5 dealt largest first to the least loaded rank:
      // 30+10, 20+10+5, 20+10.
      expect(sizes).toEqual([40, 35, 30]);
      expect(datasets.map((d) => d.examplesPerEpoch)).toEqual([30, 30, 30]);
      // Every rank computed the same assignment.
      expect(datasets[1].plan.byRank).toEqual(datasets[0].plan.byRank);
    } finally {
      await Promise.all(datasets.map((d) => d.close()));
    }
  });

  it('orders an epoch as a pure function of seed, epoch and rank, one row group at a time', async () => {
    const ds = await ParquetDataset.open(dir, { schema, rank: 1, size: 2 });
    const twin = await ParquetDataset.open(dir, { schema, rank: 1, size: 2 });
    const other = await ParquetDataset.open(dir, { schema, rank: 0, size: 2 });
    try {
      const order = ds.epochOrder(3, 42);
      expect(order.length).toBe(ds.examplesPerEpoch);
      expect(new Set(order).size).toBe(order.length);
      expect(order.every((i) => Number.isInteger(i) && i >= 0 && i < ds.size)).toBe(true);
      expect(twin.epochOrder(3, 42)).toEqual(order);
      expect(ds.epochOrder(4, 42)).not.toEqual(order);
      expect(ds.epochOrder(3, 43)).not.toEqual(order);
      expect(other.epochOrder(3, 42)).not.toEqual(order);
      expect(ds.epochOrder(3, 42, false)).toEqual(Array.from({ length: ds.examplesPerEpoch }, (_, i) => i));
      // Consecutive examples stay within a row group: one switch per group at most.
      const switches = order.slice(1).filter((e, i) => ds.groupOf(e) !== ds.groupOf(order[i])).length;
      expect(switches).toBeLessThanOrEqual(ds.groups.length - 1);
    } finally {
      await Promise.all([ds.close(), twin.close(), other.close()]);
    }
  });

  it("prefetches the epoch's next row group while the current one is read", async () => {
    const ds = await ParquetDataset.open(dir, { schema, rank: 0, size: 1 });
    try {
      const order = ds.epochOrder(0, 7);
      const sequence: number[] = [];
      for (const e of order) {
        const g = ds.groupOf(e).index;
        if (sequence[sequence.length - 1] !== g) sequence.push(g);
      }
      const batch = 8;
      for (let s = 0; s * batch < order.length; s++) {
        const indices = order.slice(s * batch, (s + 1) * batch);
        const { x, y } = await readAll(ds, indices);
        checkRows(x, y);
        // The group after the last one read is resident (decoded or decoding) already.
        const last = sequence.indexOf(ds.groupOf(indices[indices.length - 1]).index);
        if (last + 1 < sequence.length) expect(ds.residentGroups).toContain(sequence[last + 1]);
        // The groups this batch touched and the next one, no more.
        const touched = new Set(indices.map((e) => ds.groupOf(e)));
        expect(ds.residentGroups.length).toBeLessThanOrEqual(Math.max(2, touched.size + 1));
      }
    } finally {
      await ds.close();
    }
  });
});

describe('ParquetDataset errors: one typed line each', () => {
  const failure = async (promise: Promise<unknown>) => {
    const e = await promise.then(
      () => undefined,
      (err: unknown) => err as Error & { code?: string },
    );
    expect(e, 'expected a failure').toBeDefined();
    expect(e!.message.includes('\n')).toBe(false);
    return e!;
  };

  it('a missing directory, an empty one, a missing shard', async () => {
    const dir = freshDir();
    expect(await failure(ParquetDataset.open(join(dir, 'nope'), { schema }))).toMatchObject({ code: 'DATA', message: `${join(dir, 'nope')}: no such directory of shards` });
    expect(await failure(ParquetDataset.open(dir, { schema }))).toMatchObject({ code: 'DATA', message: `${dir}: no .parquet shards in this directory` });
    writeShard(join(dir, 'a.parquet'), { firstId: 0, rows: 10, rowGroupSize: 5 });
    expect(await failure(ParquetDataset.open([join(dir, 'a.parquet'), join(dir, 'b.parquet')], { schema }))).toMatchObject({ code: 'DATA', message: `${join(dir, 'b.parquet')}: no such shard` });
  });

  it('a corrupt shard: not Parquet, truncated, or a damaged page', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'junk.parquet'), 'this is not parquet at all');
    expect((await failure(ParquetDataset.open(join(dir, 'junk.parquet'), { schema }))).message).toMatch(new RegExp(`^${join(dir, 'junk.parquet')}: not a readable Parquet file \\(.+\\)$`));
    const good = join(dir, 'good.parquet');
    writeShard(good, { firstId: 0, rows: 40, rowGroupSize: 20, codec: 'UNCOMPRESSED' });
    const bytes = readFileSync(good);
    writeFileSync(join(dir, 'cut.parquet'), bytes.subarray(0, bytes.length - 100));
    expect((await failure(ParquetDataset.open(join(dir, 'cut.parquet'), { schema }))).message).toMatch(/cut\.parquet: not a readable Parquet file/);
    // Damage the page header of row group 1's 'pixels' column: the footer still reads.
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(good));
    const chunk = meta.row_groups[1].columns.find((c) => c.meta_data?.path_in_schema[0] === 'pixels')!.meta_data!;
    const damaged = Buffer.from(bytes);
    damaged.fill(0xff, Number(chunk.data_page_offset), Number(chunk.data_page_offset) + 12);
    writeFileSync(join(dir, 'damaged.parquet'), damaged);
    const ds = await ParquetDataset.open(join(dir, 'damaged.parquet'), { schema });
    try {
      const first = await readAll(ds, [0, 19]);
      expect(checkRows(first.x, first.y)).toEqual([0, 19]);
      expect(await failure(ds.read([25], new Float32Array(IN), new Int32Array(OUT)))).toMatchObject({
        code: 'DATA',
        message: expect.stringMatching(new RegExp(`^${join(dir, 'damaged.parquet')}: row group 1, column 'pixels': cannot decode \\(.+\\)$`)),
      });
    } finally {
      await ds.close();
    }
  });

  it('a shard that disappears after opening', async () => {
    const dir = freshDir();
    writeShard(join(dir, 'a.parquet'), { firstId: 0, rows: 10, rowGroupSize: 5 });
    const ds = await ParquetDataset.open(dir, { schema });
    unlinkSync(join(dir, 'a.parquet'));
    try {
      expect(await failure(ds.read([0], new Float32Array(IN), new Int32Array(OUT)))).toMatchObject({ code: 'DATA', message: `${join(dir, 'a.parquet')}: no such shard` });
    } finally {
      await ds.close();
    }
  });

  it('a schema the files do not match, naming the file, row group and column', async () => {
    const dir = freshDir();
    const file = join(dir, 'a.parquet');
    writeShard(file, { firstId: 0, rows: 12, rowGroupSize: 6, shortListAt: [8], nullWeightAt: [2] });
    const withColumn = (column: object) => ({ ...schema, input: { dtype: 'f32' as const, columns: [column as never] } });
    expect(await failure(ParquetDataset.open(file, { schema: withColumn({ column: 'pixel', kind: 'list', length: 6 }) }))).toMatchObject({
      code: 'DATA',
      message: `${file}: row group 0, column 'pixel': no such column (the file has 'id', 'label', 'pixels', 'image', 'embedding', 'weight', 'note')`,
    });
    expect((await failure(ParquetDataset.open(file, { schema: withColumn({ column: 'pixels', kind: 'number' }) }))).message).toBe(
      `${file}: row group 0, column 'pixels': a nested (list) column of FLOAT, declared as one number per row`,
    );
    expect((await failure(ParquetDataset.open(file, { schema: withColumn({ column: 'note', kind: 'number' }) }))).message).toBe(`${file}: row group 0, column 'note': BYTE_ARRAY, declared as a number`);
    expect((await failure(ParquetDataset.open(file, { schema: withColumn({ column: 'label', kind: 'binary', length: 4 }) }))).message).toBe(`${file}: row group 0, column 'label': INT32, declared as binary`);
    // Found while decoding: a short list, a wrong byte count, a null.
    const decodeFailure = async (column: object, index: number) => {
      const ds = await ParquetDataset.open(file, { schema: withColumn(column) });
      try {
        return await failure(ds.read([index], new Float32Array(ds.inputElements), new Int32Array(OUT)));
      } finally {
        await ds.close();
      }
    };
    expect(await decodeFailure({ column: 'pixels', kind: 'list', length: 6 }, 7)).toMatchObject({ code: 'DATA', message: `${file}: row group 1, column 'pixels': row 8 has 5 values, the schema says 6` });
    expect((await decodeFailure({ column: 'image', kind: 'binary', length: 5 }, 0)).message).toBe(`${file}: row group 0, column 'image': row 0 has 4 bytes, the schema says 5 u8 (5 bytes)`);
    expect((await decodeFailure({ column: 'weight', kind: 'number' }, 0)).message).toBe(`${file}: row group 0, column 'weight': row 2 is null`);
    // The declaration itself.
    expect(await failure(ParquetDataset.open(file, { schema: withColumn({ column: 'pixels', kind: 'list', length: 0 }) }))).toMatchObject({ code: 'DATA', message: "parquet schema: column 'pixels': length must be a whole number >= 1, got 0" });
  });

  it('a rank count the row groups cannot be split over, and misuse', async () => {
    const dir = freshDir();
    writeShard(join(dir, 'a.parquet'), { firstId: 0, rows: 15, rowGroupSize: 5 });
    expect(await failure(ParquetDataset.open(dir, { schema, rank: 0, size: 4 }))).toMatchObject({
      code: 'DATA',
      message: 'parquet dataset: 3 non-empty row groups (15 rows in 1 shard) cannot be split over 4 ranks: each rank reads whole row groups (write smaller row groups or more shards)',
    });
    expect(await failure(ParquetDataset.open(dir, { schema, rank: 3, size: 3 }))).toMatchObject({ code: 'USAGE', message: 'ParquetDataset: rank must be in 0..2, got 3' });
    const ds = await ParquetDataset.open(dir, { schema, rank: 2, size: 3 });
    expect(await failure(ds.read([5], new Float32Array(IN), new Int32Array(OUT)))).toMatchObject({ code: 'INPUT', message: "ParquetDataset: example 5 is outside rank 2's 5 examples" });
    await ds.close();
    expect(await failure(ds.read([0], new Float32Array(IN), new Int32Array(OUT)))).toMatchObject({ code: 'USAGE' });
  });
});

describe('the test shards', () => {
  it('are real multi-group Parquet files with the codecs asked for', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'x'));
    const file = join(dir, 'x', 'z.parquet');
    writeShard(file, { firstId: 0, rows: 25, rowGroupSize: 10, codec: 'ZSTD' });
    copyFileSync(file, join(dir, 'copy.parquet'));
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(join(dir, 'copy.parquet')));
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([10, 10, 5]);
    expect(new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!.codec)))).toEqual(new Set(['ZSTD']));
  });
});
