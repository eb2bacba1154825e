import type { TensorData } from '../../ir/dtype.js';
import { InputError, UsageError } from '../../ir/errors.js';
import type { Dataset } from '../training/dataset.js';
import type { ParquetSchema } from './parquet_schema.js';
import { checkSchema, tensorWidth } from './parquet_schema.js';
import type { DecodedGroup } from './row_group_decoder.js';
import { RowGroupLoader } from './row_group_loader.js';
import { shuffledRange } from './seeded_order.js';
import type { ShardGroup, ShardPlan } from './shard_plan.js';
import { planShards } from './shard_plan.js';

/**
 * Examples from a directory of Parquet shards (what Spark, Hadoop and pandas write), for one
 * rank of a data-parallel job. The rank owns whole row groups (shard_plan.ts); its examples are
 * those groups' rows, numbered in dataset order, read through the `Dataset` interface. Row groups
 * are decoded in a worker thread: while one group's batches train, the next group of the epoch
 * is being read and decompressed. A few decoded groups are kept (`cachedGroups`).
 *
 * `epochOrder` gives the rank's examples for one epoch as a pure function of (seed, epoch,
 * rank): the rank's row groups shuffled, then the rows within each group, truncated to
 * `examplesPerEpoch` — the same count on every rank, so that ranks step together. Reading in
 * that order touches one group at a time, which is what the prefetch expects.
 */

export interface ParquetDatasetOptions {
  readonly schema: ParquetSchema;
  /** This rank and the job's rank count (default 0 of 1): e.g. a Communicator's. */
  readonly rank?: number;
  readonly size?: number;
  /** Decoded row groups kept in memory, the prefetched one included (default 2). */
  readonly cachedGroups?: number;
}

export class ParquetDataset implements Dataset {
  readonly size: number;
  readonly inputElements: number;
  readonly targetElements: number;
  readonly rank: number;
  readonly ranks: number;
  /** Examples each rank reads per epoch (the fewest rows any rank owns). */
  readonly examplesPerEpoch: number;
  /** This rank's row groups, in dataset order; example i lives in the group whose offset range holds i. */
  readonly groups: readonly ShardGroup[];
  readonly plan: ShardPlan;
  readonly #schema: ParquetSchema;
  readonly #offsets: number[];
  readonly #loader = new RowGroupLoader();
  readonly #cache = new Map<number, Promise<DecodedGroup>>();
  readonly #capacity: number;
  /** The current epoch's group order (slots), for prefetching the group after the one read. */
  #sequence: number[] | undefined;
  #closed = false;

  private constructor(plan: ShardPlan, options: ParquetDatasetOptions, rank: number, ranks: number) {
    this.plan = plan;
    this.#schema = options.schema;
    this.rank = rank;
    this.ranks = ranks;
    this.groups = plan.byRank[rank];
    this.#offsets = [0];
    for (const g of this.groups) this.#offsets.push(this.#offsets[this.#offsets.length - 1] + g.rows);
    this.size = this.#offsets[this.#offsets.length - 1];
    this.examplesPerEpoch = plan.examplesPerEpoch;
    this.inputElements = tensorWidth(options.schema.input);
    this.targetElements = tensorWidth(options.schema.target);
    this.#capacity = options.cachedGroups ?? 2;
  }

  /** Opens the shards (footers only), checks the schema against each, and assigns row groups. */
  static async open(source: string | readonly string[], options: ParquetDatasetOptions): Promise<ParquetDataset> {
    const rank = options.rank ?? 0;
    const ranks = options.size ?? 1;
    if (!Number.isInteger(ranks) || ranks < 1) throw new UsageError(`ParquetDataset: size must be a whole number >= 1, got ${ranks}`);
    if (!Number.isInteger(rank) || rank < 0 || rank >= ranks) throw new UsageError(`ParquetDataset: rank must be in 0..${ranks - 1}, got ${rank}`);
    const cached = options.cachedGroups ?? 2;
    if (!Number.isInteger(cached) || cached < 1) throw new UsageError(`ParquetDataset: cachedGroups must be a whole number >= 1, got ${cached}`);
    checkSchema(options.schema);
    return new ParquetDataset(await planShards(source, options.schema, ranks), options, rank, ranks);
  }

  /**
   * This rank's examples for one epoch (`examplesPerEpoch` of them): row groups shuffled, then
   * rows within each, all seeded by (seed, epoch, rank); in dataset order when `shuffle` is false.
   */
  epochOrder(epoch: number, seed: number, shuffle = true): number[] {
    const slots = shuffle ? shuffledRange(this.groups.length, seed, epoch, this.rank) : this.groups.map((_, i) => i);
    this.#sequence = slots;
    const order: number[] = [];
    for (const slot of slots) {
      if (order.length >= this.examplesPerEpoch) break;
      const rows = this.groups[slot].rows;
      const within = shuffle ? shuffledRange(rows, seed, epoch, this.rank, this.groups[slot].index) : Array.from({ length: rows }, (_, i) => i);
      for (const r of within) order.push(this.#offsets[slot] + r);
    }
    return order.slice(0, this.examplesPerEpoch);
  }

  async read(indices: readonly number[], x: TensorData, y: TensorData): Promise<void> {
    if (this.#closed) throw new UsageError('ParquetDataset: read after close');
    const slots = indices.map((e) => {
      if (!Number.isInteger(e) || e < 0 || e >= this.size) throw new InputError(`ParquetDataset: example ${e} is outside rank ${this.rank}'s ${this.size} examples`);
      return this.#slotOf(e);
    });
    const needed = [...new Set(slots)];
    const groups = new Map<number, DecodedGroup>();
    const loaded = await Promise.all(needed.map((slot) => this.#group(slot, needed)));
    loaded.forEach((g, i) => groups.set(needed[i], g));
    // The reader thread is free again: it decodes the epoch's next group while this one trains.
    if (slots.length > 0) this.#prefetchAfter(slots[slots.length - 1], needed);
    const inW = this.inputElements;
    const outW = this.targetElements;
    indices.forEach((e, row) => {
      const slot = slots[row];
      const g = groups.get(slot)!;
      const r = e - this.#offsets[slot];
      x.set(g.x.subarray(r * inW, (r + 1) * inW) as never, row * inW);
      y.set(g.y.subarray(r * outW, (r + 1) * outW) as never, row * outW);
    });
  }

  /** The row group that holds this rank's example `example`. */
  groupOf(example: number): ShardGroup {
    if (!Number.isInteger(example) || example < 0 || example >= this.size) throw new InputError(`ParquetDataset: example ${example} is outside rank ${this.rank}'s ${this.size} examples`);
    return this.groups[this.#slotOf(example)];
  }

  /** Row groups (dataset indices) decoded or being decoded now: what a read can take at once. */
  get residentGroups(): number[] {
    return [...this.#cache.keys()].map((slot) => this.groups[slot].index);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache.clear();
    await this.#loader.close();
  }

  #slotOf(example: number): number {
    let lo = 0;
    let hi = this.groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#offsets[mid] <= example) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A decoded group (from the cache, or loaded), most recently used last. */
  #group(slot: number, keep: readonly number[]): Promise<DecodedGroup> {
    let group = this.#cache.get(slot);
    if (group) {
      this.#cache.delete(slot);
    } else {
      const g = this.groups[slot];
      group = this.#loader.load(g.file, g.group, this.#schema);
      // A failed load is not kept: the next read tries again (and reports again).
      group.catch(() => this.#cache.get(slot) === group && this.#cache.delete(slot));
    }
    this.#cache.set(slot, group);
    this.#evict(keep);
    return group;
  }

  #prefetchAfter(slot: number, keep: readonly number[]): void {
    if (this.groups.length < 2 || this.#capacity < 2) return;
    const position = this.#sequence?.indexOf(slot) ?? -1;
    const next = position >= 0 && this.#sequence ? this.#sequence[(position + 1) % this.#sequence.length] : (slot + 1) % this.groups.length;
    if (this.#cache.has(next) || keep.includes(next)) return;
    // Errors surface when the group is read for real.
    this.#group(next, [...keep, next]).catch(() => undefined);
  }

  #evict(keep: readonly number[]): void {
    for (const slot of this.#cache.keys()) {
      if (this.#cache.size <= Math.max(this.#capacity, keep.length)) break;
      if (!keep.includes(slot)) this.#cache.delete(slot);
    }
  }
}
