import { allocHost } from '../../ir/dtype.js';
import { DeviceError, OutOfMemoryError } from '../../ir/errors.js';
import { numel } from '../../ir/shape.js';
import type { TrainingTensorSpec } from '../../ir/training_plan.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { DawnDevice } from '../device.js';
import type { Dataset } from '../training/dataset.js';
import type { Evaluation } from '../training/trainer.js';
import type { Communicator } from './communicator.js';
import { sliceOf } from './in_process_communicator.js';
import type { PhasedExecutable } from './phased_executable.js';
import type { Timeline } from './timeline.js';

/** What the parallel fit loop (rank_fit.ts) needs of a rank, data-parallel or pipeline. */
export interface RankEngine {
  readonly comm: Communicator;
  readonly globalBatch: number;
  readonly accuracy: boolean;
  readonly timeline: Timeline;
  /** One global step over the global batch `rows`; every rank gets the same outcome. */
  step(rows: readonly number[], data: Dataset, step: number): Promise<StepOutcome>;
  evaluate(data: Dataset): Promise<Evaluation>;
  /** This rank's states (to restore after a loss). */
  snapshot(): Promise<Record<string, HostTensor>>;
  restore(states: Readonly<Record<string, HostTensor>>): void;
  /** Collective: the model's states under single-device names, on rank 0 (undefined elsewhere). */
  gatherStates(): Promise<Record<string, HostTensor> | undefined>;
  rebuild(): Promise<void>;
  loseDevice(): void;
  /** Lets work in flight finish, then frees the device memory. */
  close(): Promise<void>;
}

export interface StepOutcome {
  readonly step: number;
  /** Mean loss over the global batch. */
  readonly loss: number;
  /** Correct predictions in the global batch. */
  readonly correct: number;
  /** Ranks whose device was lost during the step: the step did not count. */
  readonly lostRanks: readonly number[];
}

/** A step's status vector: one lost flag per rank, then the loss sum and the correct count. */
export function zeroStatus(size: number): Float32Array {
  return new Float32Array(size + 2);
}

/**
 * Whether `error` means this rank's device is gone (then the rank plays on with zeros until
 * every rank has heard, and the job restores a snapshot); any other error is rethrown.
 */
export async function deviceFailure(device: DawnDevice, error: unknown): Promise<true> {
  if ((error instanceof DeviceError || error instanceof OutOfMemoryError) && (await device.settleLoss())) return true;
  throw error;
}

/** Every rank's states become `root`'s (one broadcast of all of them, in layout order). */
export async function broadcastStates(comm: Communicator, exe: PhasedExecutable, root: number): Promise<void> {
  if (comm.size === 1) return;
  const states = await exe.readStates();
  const names = exe.stateNames;
  const total = names.reduce((s, n) => s + states[n].data.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const n of names) {
    const d = states[n].data;
    bytes.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), offset);
    offset += d.byteLength;
  }
  await comm.broadcast(bytes, root);
  if (comm.rank === root) return;
  offset = 0;
  for (const n of names) {
    const d = states[n].data;
    new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(bytes.subarray(offset, offset + d.byteLength));
    offset += d.byteLength;
    exe.writeState(n, states[n]);
  }
}

export interface ShardEvaluation {
  readonly batch: number;
  readonly input: TrainingTensorSpec;
  readonly target: TrainingTensorSpec;
  readonly accuracy: boolean;
  /** Which contiguous part of the data this rank evaluates. */
  readonly shard: { readonly index: number; readonly count: number };
  /** Where the sums are added up (every rank of it must call). */
  readonly reduce: Communicator;
}

/** Runs the 'eval' phase over this rank's shard, then sums loss and correct over `reduce`. */
export async function evaluateShard(exe: PhasedExecutable, data: Dataset, o: ShardEvaluation): Promise<Evaluation> {
  const [lo, hi] = sliceOf(data.size, o.shard.count, o.shard.index);
  const x = allocHost(o.input.dtype, o.batch * numel(o.input.exampleShape));
  const y = allocHost(o.target.dtype, o.batch * numel(o.target.exampleShape));
  let loss = 0;
  let correct = 0;
  const pending: Promise<void>[] = [];
  for (let start = lo; start < hi; start += o.batch) {
    const count = Math.min(o.batch, hi - start);
    x.fill(0);
    y.fill(0);
    await data.read(Array.from({ length: count }, (_, i) => start + i), x, y);
    const run = exe.submit('eval', { [o.input.name]: x, [o.target.name]: y }, { outputs: ['loss', ...(o.accuracy ? ['correct'] : [])] });
    pending.push(
      run.final.read().then((out) => {
        for (let i = 0; i < count; i++) {
          loss += Number(out.loss.data[i]);
          if (out.correct) correct += Number(out.correct.data[i]);
        }
      }),
    );
  }
  await Promise.all(pending);
  // Summed over the shard in f64, over the ranks as f32 (counts below 2^24 stay exact).
  const sums = Float32Array.of(loss, correct);
  await o.reduce.allReduce(sums, 'sum');
  return { loss: sums[0] / data.size, examples: data.size, ...(o.accuracy ? { accuracy: Math.round(sums[1]) / data.size } : {}) };
}
