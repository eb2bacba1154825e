import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../ir/errors.js';
import type { ParquetSchema } from './parquet_schema.js';
import { checkShard } from './parquet_schema.js';
import { openShard } from './row_group_decoder.js';

/**
 * Which row groups a rank reads. The shards (a directory's *.parquet files in name order, or a
 * list of files) are opened footer-only; their non-empty row groups are numbered in file order
 * and dealt to ranks largest first, each to the rank with the fewest rows so far (ties to the
 * lower rank), so every rank gets whole row groups and about the same number of rows. Every rank
 * computes the same assignment from the same footers: no communication needed.
 */

export interface ShardGroup {
  readonly file: string;
  /** Row group within the file. */
  readonly group: number;
  readonly rows: number;
  /** Position among all row groups of the dataset (file order). */
  readonly index: number;
}

export interface ShardPlan {
  readonly files: readonly string[];
  readonly groups: readonly ShardGroup[];
  /** Each rank's row groups, in dataset order. */
  readonly byRank: readonly (readonly ShardGroup[])[];
  /** Examples every rank reads per epoch: the fewest rows any rank has (so ranks step together). */
  readonly examplesPerEpoch: number;
}

/** The shard files of a directory (or the list as given); a DataError when there are none. */
export async function listShards(source: string | readonly string[]): Promise<string[]> {
  if (typeof source !== 'string') {
    if (source.length === 0) throw new DataError('parquet dataset: the list of shards is empty');
    return [...source];
  }
  let entries: string[];
  try {
    if (!(await stat(source)).isDirectory()) return [source];
    entries = await readdir(source);
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === 'ENOENT';
    throw new DataError(`${source}: ${missing ? 'no such directory of shards' : `cannot list the shards (${cause instanceof Error ? cause.message : String(cause)})`}`, { cause });
  }
  const shards = entries.filter((name) => name.endsWith('.parquet')).sort();
  if (shards.length === 0) throw new DataError(`${source}: no .parquet shards in this directory`);
  return shards.map((name) => join(source, name));
}

export function assignGroups(groups: readonly ShardGroup[], ranks: number): ShardGroup[][] {
  const byRank: ShardGroup[][] = Array.from({ length: ranks }, () => []);
  const load = new Array<number>(ranks).fill(0);
  const largestFirst = [...groups].sort((a, b) => b.rows - a.rows || a.index - b.index);
  for (const g of largestFirst) {
    let rank = 0;
    for (let r = 1; r < ranks; r++) if (load[r] < load[rank]) rank = r;
    byRank[rank].push(g);
    load[rank] += g.rows;
  }
  for (const list of byRank) list.sort((a, b) => a.index - b.index);
  return byRank;
}

export async function planShards(source: string | readonly string[], schema: ParquetSchema, ranks: number): Promise<ShardPlan> {
  const files = await listShards(source);
  const groups: ShardGroup[] = [];
  for (const file of files) {
    const { meta } = await openShard(file);
    checkShard(file, meta, schema);
    meta.row_groups.forEach((g, group) => {
      const rows = Number(g.num_rows);
      if (rows > 0) groups.push({ file, group, rows, index: groups.length });
    });
  }
  const total = groups.reduce((n, g) => n + g.rows, 0);
  if (groups.length < ranks) {
    throw new DataError(`parquet dataset: ${groups.length} non-empty row group${groups.length === 1 ? '' : 's'} (${total} rows in ${files.length} shard${files.length === 1 ? '' : 's'}) cannot be split over ${ranks} ranks: each rank reads whole row groups (write smaller row groups or more shards)`);
  }
  const byRank = assignGroups(groups, ranks);
  const examplesPerEpoch = Math.min(...byRank.map((list) => list.reduce((n, g) => n + g.rows, 0)));
  return { files, groups, byRank, examplesPerEpoch };
}
