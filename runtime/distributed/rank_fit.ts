import { DeviceError, UsageError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import { writeCheckpoint } from '../checkpoint/checkpoint.js';
import type { EpochRecord } from '../training/curves.js';
import type { Dataset } from '../training/dataset.js';
import type { Evaluation } from '../training/trainer.js';
import { epochOrder } from '../training/trainer.js';
import { DataParallelRank } from './data_parallel_rank.js';
import type { RankEngine, StepOutcome } from './rank_engine.js';
import { now, type StepTimes, type TimelineEvent } from './timeline.js';

/**
 * The fit loop every rank runs, data-parallel or pipeline alike. The data order is the
 * single-device Trainer's (`epochOrder` of seed and epoch, global batches in order), so a
 * parallel run sees exactly the batches a single-device run sees. Every few steps each rank
 * keeps a host copy of its states; when a rank's device is lost, every rank learns it from the
 * step's status, and every rank restores that snapshot and replays from it: the data order
 * being a function of (seed, epoch, step), the run continues bit for bit.
 *
 * Data that each rank holds its own share of (`RankShards`, e.g. a ParquetDataset opened with
 * the rank) is read in the rank's own order instead — a function of (seed, epoch, rank) — each
 * rank taking its local batch of every global step from it (data parallelism only: a
 * pipeline's stages must read the same examples).
 */

/** Examples that each rank owns a share of, with a per-rank order per epoch (ParquetDataset). */
export interface RankShards extends Dataset {
  /** Examples every rank takes per epoch (the same on every rank, so that ranks step together). */
  readonly examplesPerEpoch: number;
  epochOrder(epoch: number, seed: number, shuffle?: boolean): number[];
}

export function isRankShards(data: Dataset): data is RankShards {
  return typeof (data as Partial<RankShards>).examplesPerEpoch === 'number' && typeof (data as Partial<RankShards>).epochOrder === 'function';
}

export interface RankFitOptions {
  readonly epochs: number;
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Stop after this many steps in all (tests: a few steps of a long epoch). */
  readonly maxSteps?: number;
  /** Steps between host snapshots of every rank's states (default 10). */
  readonly snapshotEvery?: number;
  /** 'recover' (default): restore the last snapshot and go on; 'throw': fail with the DeviceError naming the rank. */
  readonly onDeviceLost?: 'recover' | 'throw';
  /** Evaluated at the end of every epoch (and `evaluation` at the end of the run). */
  readonly validation?: Dataset;
  readonly test?: Dataset;
  /** Start from these states (single-device names) at global step `startStep`. */
  readonly initialStates?: Readonly<Record<string, HostTensor>>;
  readonly startStep?: number;
  /** Rank 0 writes the model's states (single-device names) here every `every` steps and at the end. */
  readonly checkpoint?: { readonly path: string; readonly every: number };
  /** Fault drills: lose rank `rank`'s device just before global step `step` (once). */
  readonly deviceLoss?: readonly { readonly rank: number; readonly step: number }[];
  /** Record the timeline of every step. */
  readonly timeline?: boolean;
  /** Gather the final states on rank 0 (default true). */
  readonly returnStates?: boolean;
  /** Called on every rank after each counted step (and its checkpoint), with the steps done so far. */
  readonly afterStep?: (steps: number) => void | Promise<void>;
}

export interface RecoveryRecord {
  /** The step that was lost with the device. */
  readonly step: number;
  readonly ranks: readonly number[];
  /** The step whose snapshot every rank restored. */
  readonly restoredStep: number;
  readonly message: string;
}

export interface RankFitResult {
  readonly rank: number;
  readonly history: EpochRecord[];
  readonly steps: number;
  /** The test set's evaluation after training (with `test`). */
  readonly test?: Evaluation;
  /** Rank 0: every state under single-device names. */
  readonly states?: Record<string, HostTensor>;
  readonly recoveries: RecoveryRecord[];
  readonly timeline: TimelineEvent[];
  readonly stepTimes: StepTimes[];
}

export async function fitRank(engine: RankEngine, data: Dataset, options: RankFitOptions): Promise<RankFitResult> {
  const batch = engine.globalBatch;
  const rows = stepRows(engine, data, options);
  const perEpoch = rows.perEpoch;
  const total = Math.min(options.epochs * perEpoch, options.maxSteps ?? Infinity);
  const every = options.snapshotEvery ?? 10;
  if (!(Number.isInteger(every) && every >= 1)) throw new UsageError(`snapshotEvery must be a whole number >= 1, got ${every}`);
  if (options.initialStates) engine.restore(options.initialStates);
  let step = options.startStep ?? 0;
  let snapshot = { step, states: await engine.snapshot() };
  const outcomes: StepOutcome[] = [];
  const recoveries: RecoveryRecord[] = [];
  const history: EpochRecord[] = [];
  const fired = new Set<number>();
  let order: number[] = [];
  let orderEpoch = -1;
  let epochStarted = now();

  while (step < total) {
    const epoch = Math.floor(step / perEpoch);
    if (epoch !== orderEpoch) {
      order = rows.order(epoch);
      orderEpoch = epoch;
    }
    (options.deviceLoss ?? []).forEach((f, i) => {
      if (f.rank === engine.comm.rank && f.step === step && !fired.has(i)) {
        fired.add(i);
        engine.loseDevice();
      }
    });
    const within = step % perEpoch;
    const started = now();
    const outcome = await engine.step(rows.batch(order, within), data, step);
    engine.timeline.step(step, started, now());
    if (outcome.lostRanks.length > 0) {
      const message = `rank${outcome.lostRanks.length > 1 ? 's' : ''} ${outcome.lostRanks.join(', ')}: the GPU device was lost during step ${step}`;
      if (options.onDeviceLost === 'throw') throw new DeviceError(message);
      if (outcome.lostRanks.includes(engine.comm.rank)) await engine.rebuild();
      engine.restore(snapshot.states);
      engine.timeline.forget(snapshot.step);
      recoveries.push({ step, ranks: outcome.lostRanks, restoredStep: snapshot.step, message: `${message}; every rank resumed from the snapshot of step ${snapshot.step}` });
      step = snapshot.step;
      continue;
    }
    outcomes[step] = outcome;
    step++;
    if (step % every === 0) snapshot = { step, states: await engine.snapshot() };
    if (options.checkpoint && step % options.checkpoint.every === 0) await checkpoint(engine, options.checkpoint.path, step);
    await options.afterStep?.(step);
    if (step % perEpoch === 0 || step === total) {
      const first = Math.floor((step - 1) / perEpoch) * perEpoch;
      // A run resumed from a checkpoint has no outcomes for the steps before it.
      const done = outcomes.slice(first, step).filter((o) => o !== undefined);
      const seconds = (now() - epochStarted) / 1000;
      let record: EpochRecord = {
        epoch: Math.floor((step - 1) / perEpoch) + 1,
        loss: done.reduce((s, o) => s + o.loss, 0) / done.length,
        ...(engine.accuracy ? { accuracy: done.reduce((s, o) => s + o.correct, 0) / (done.length * batch) } : {}),
        seconds,
        examplesPerSecond: (done.length * batch) / seconds,
      };
      if (options.validation) {
        const v = await engine.evaluate(options.validation);
        record = { ...record, valLoss: v.loss, ...(v.accuracy !== undefined ? { valAccuracy: v.accuracy } : {}) };
      }
      history.push(record);
      epochStarted = now();
    }
  }
  const test = options.test ? await engine.evaluate(options.test) : undefined;
  const states = options.returnStates === false ? undefined : await engine.gatherStates();
  if (options.checkpoint && step % options.checkpoint.every !== 0) await checkpoint(engine, options.checkpoint.path, step);
  await engine.timeline.settled();
  return {
    rank: engine.comm.rank,
    history,
    steps: step,
    ...(test ? { test } : {}),
    ...(states ? { states } : {}),
    recoveries,
    timeline: engine.timeline.events,
    stepTimes: engine.timeline.stepTimes(),
  };
}

/** Collective: rank 0 gathers the states and replaces the checkpoint file atomically. */
async function checkpoint(engine: RankEngine, path: string, step: number): Promise<void> {
  const states = await engine.gatherStates();
  if (states) await writeCheckpoint(path, states, { plan: 'parallel', step, prngState: null, extra: { ranks: engine.comm.size } });
  await engine.comm.barrier();
}

interface StepRows {
  readonly perEpoch: number;
  order(epoch: number): number[];
  /** The global batch of step `within` of the epoch, as `engine.step` takes it. */
  batch(order: readonly number[], within: number): number[];
}

/**
 * Which examples each step reads. Shared data: the single-device Trainer's order, global
 * batches in order. Rank shards: this rank's order, its local batches placed in its slot of
 * the global batch (the data-parallel rank reads only that slot).
 */
function stepRows(engine: RankEngine, data: Dataset, options: RankFitOptions): StepRows {
  const batch = engine.globalBatch;
  const seed = options.seed ?? 0;
  const shuffle = options.shuffle ?? true;
  if (!isRankShards(data)) {
    const perEpoch = Math.floor(data.size / batch);
    if (perEpoch === 0) throw new UsageError(`fit: ${data.size} examples make no full global batch of ${batch}`);
    return { perEpoch, order: (epoch) => epochOrder(data.size, seed, epoch, shuffle), batch: (order, within) => order.slice(within * batch, (within + 1) * batch) };
  }
  if (!(engine instanceof DataParallelRank)) throw new UsageError('fit: data split over the ranks (one share per rank) needs data parallelism; the stages of a pipeline read the same examples');
  const local = batch / engine.comm.size;
  const perEpoch = Math.floor(data.examplesPerEpoch / local);
  if (perEpoch === 0) throw new UsageError(`fit: rank ${engine.comm.rank}'s ${data.examplesPerEpoch} examples per epoch make no full local batch of ${local} (global batch ${batch} over ${engine.comm.size} ranks)`);
  return {
    perEpoch,
    order: (epoch) => data.epochOrder(epoch, seed, shuffle),
    batch: (order, within) => {
      const mine = order.slice(within * local, (within + 1) * local);
      return Array.from({ length: batch }, (_, i) => mine[i % local]);
    },
  };
}
