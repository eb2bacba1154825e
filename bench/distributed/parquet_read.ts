import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { hostTensor } from '../../ir/tensor.js';
import { ParquetDataset } from '../../runtime/data/index.js';
import { NpyDataset } from '../../runtime/training/dataset.js';
import { writeNpy } from '../../runtime/training/npy.js';
import { epochOrder } from '../../runtime/training/trainer.js';

/**
 * Parquet read throughput against the .npy stream, for MNIST-shaped data (784 u8 pixels and a
 * label per row, read as f32 / i32 batches of 128, what the MNIST MLP trains on): a Parquet
 * shard set (snappy, Spark's default codec; pixels as a binary column; row groups of 2000) read
 * through ParquetDataset in its epoch order, and the same data as two .npy files read through
 * NpyDataset in file order and in the trainer's shuffled order. Each reader reads one epoch
 * untimed first (the reader thread starts, the page cache fills), then one timed epoch.
 */

const PIXELS = 784;
const BATCH = 128;
const GROUP_ROWS = 2000;

export interface ReadFigure {
  readonly reader: string;
  readonly rows: number;
  readonly seconds: number;
  /** Bytes of the files read. */
  readonly fileBytes: number;
}

/** About a quarter of the pixels lit, pseudo-random (MNIST has ~19%): compresses like real images, not like a pattern. */
function pixel(id: number, k: number): number {
  let h = Math.imul(id * 784 + k + 1, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h & 3) === 0 ? (h >>> 8) & 255 : 0;
}

/** Writes the data once per size into `dir` (Parquet shards and .npy files). */
async function prepare(dir: string, rows: number): Promise<{ shards: string; x: string; y: string }> {
  const shards = join(dir, `parquet-${rows}`);
  const x = join(dir, `x-${rows}.npy`);
  const y = join(dir, `y-${rows}.npy`);
  if (!existsSync(shards)) {
    mkdirSync(shards, { recursive: true });
    const perShard = GROUP_ROWS * 5;
    for (let first = 0, part = 0; first < rows; first += perShard, part++) {
      const ids = Array.from({ length: Math.min(perShard, rows - first) }, (_, i) => first + i);
      parquetWriteFile({
        filename: join(shards, `part-${String(part).padStart(5, '0')}.parquet`),
        rowGroupSize: GROUP_ROWS,
        columnData: [
          { name: 'image', data: ids.map((id) => Uint8Array.from({ length: PIXELS }, (_, k) => pixel(id, k))), type: 'BYTE_ARRAY', nullable: false },
          { name: 'label', data: Int32Array.from(ids, (id) => id % 10), type: 'INT32', nullable: false },
        ],
      });
    }
  }
  if (!existsSync(y)) {
    const pixels = new Uint8Array(rows * PIXELS);
    for (let id = 0; id < rows; id++) for (let k = 0; k < PIXELS; k++) pixels[id * PIXELS + k] = pixel(id, k);
    writeFileSync(x, npyBytes('|u1', [rows, PIXELS], pixels));
    await writeNpy(y, hostTensor('i32', [rows], Int32Array.from({ length: rows }, (_, id) => id % 10)));
  }
  return { shards, x, y };
}

/** A version-1 .npy of raw bytes (writeNpy has no u8; the pixels stay 1 byte as in the Parquet files). */
function npyBytes(descr: string, shape: readonly number[], data: Uint8Array): Buffer {
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const padded = text.padEnd(Math.ceil((10 + text.length + 1) / 64) * 64 - 11, ' ') + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), data]);
}

const bytesOf = (paths: readonly string[]) => paths.reduce((n, p) => n + statSync(p).size, 0);

type Read = (indices: number[], x: Float32Array, y: Int32Array) => Promise<void>;

/** Seconds for the second of two epochs (`orderOf(epoch)`), in batches of 128. */
async function timeEpoch(read: Read, orderOf: (epoch: number) => readonly number[]): Promise<number> {
  const x = new Float32Array(BATCH * PIXELS);
  const y = new Int32Array(BATCH);
  const epoch = async (order: readonly number[]) => {
    for (let s = 0; s + BATCH <= order.length; s += BATCH) await read(order.slice(s, s + BATCH), x, y);
  };
  await epoch(orderOf(0));
  const start = performance.now();
  await epoch(orderOf(1));
  return (performance.now() - start) / 1000;
}

export async function measureParquetRead(dir: string, rows: number): Promise<ReadFigure[]> {
  const { shards, x, y } = await prepare(dir, rows);
  const figures: ReadFigure[] = [];
  const dataset = await ParquetDataset.open(shards, {
    schema: {
      input: { dtype: 'f32', columns: [{ column: 'image', kind: 'binary', length: PIXELS, scale: 1 / 255 }] },
      target: { dtype: 'i32', columns: [{ column: 'label', kind: 'number' }] },
    },
  });
  try {
    const used = Math.floor(dataset.examplesPerEpoch / BATCH) * BATCH;
    const seconds = await timeEpoch((i, bx, by) => dataset.read(i, bx, by), (epoch) => dataset.epochOrder(epoch, 1));
    figures.push({ reader: 'parquet (row groups in a worker, epoch order)', rows: used, seconds, fileBytes: bytesOf(dataset.plan.files) });
  } finally {
    await dataset.close();
  }
  const npy = await NpyDataset.open(x, y);
  try {
    const sequential = Array.from({ length: rows }, (_, i) => i);
    const used = Math.floor(rows / BATCH) * BATCH;
    const read: Read = (i, bx, by) => npy.read(i, bx, by);
    figures.push({ reader: '.npy stream (file order)', rows: used, seconds: await timeEpoch(read, () => sequential), fileBytes: bytesOf([x, y]) });
    const shuffled = (epoch: number) => epochOrder(rows, 1, epoch, true);
    figures.push({ reader: ".npy stream (the trainer's shuffle)", rows: used, seconds: await timeEpoch(read, shuffled), fileBytes: bytesOf([x, y]) });
  } finally {
    await npy.close();
  }
  return figures;
}
