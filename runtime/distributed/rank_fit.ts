import { DeviceError, UsageError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import { writeCheckpoint } from '../checkpoint/checkpoint.js';
import type { EpochRecord } from '../training/curves.js';
import type { Dataset } from '../training/dataset.js';
import type { Evaluation } from '../training/trainer.js';
import { epochOrder } from '../training/trainer.js';
import type { RankEngine, StepOutcome } from './rank_engine.js';
import { now, type StepTimes, type TimelineEvent } from './timeline.js';

/**
 * The fit loop every rank runs, data-parallel or pipeline alike. The data order is the
 * single-device Trainer's (`epochOrder` of seed and epoch, global batches in order), so a
 * parallel run sees exactly the batches a single-device run sees. Every few steps each rank
 * keeps a host copy of its states; when a rank's device is lost, every rank learns it from the
 * step's status, and every rank restores that snapshot and replays from it: the data order
 * being a function of (seed, epoch, step), the run continues bit for bit.
 */

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
  const perEpoch = Math.floor(data.size / batch);
  if (perEpoch === 0) throw new UsageError(`fit: ${data.size} examples make no full global batch of ${batch}`);
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
      order = epochOrder(data.size, options.seed ?? 0, epoch, options.shuffle ?? true);
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
    const outcome = await engine.step(order.slice(within * batch, (within + 1) * batch), data, step);
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
    if (step % perEpoch === 0 || step === total) {
      const first = Math.floor((step - 1) / perEpoch) * perEpoch;
      const done = outcomes.slice(first, step);
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
