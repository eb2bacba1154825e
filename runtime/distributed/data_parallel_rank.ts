import type { TensorData } from '../../ir/dtype.js';
import { allocHost } from '../../ir/dtype.js';
import { UsageError } from '../../ir/errors.js';
import type { DataParallelProgram, GradientBucket } from '../../ir/parallel_program.js';
import { DATA_PARALLEL_FORMAT } from '../../ir/parallel_program.js';
import { numel } from '../../ir/shape.js';
import type { HostTensor } from '../../ir/tensor.js';
import { acquireDevice, type DawnDevice } from '../device.js';
import type { RunHandle } from '../run_handle.js';
import type { Dataset } from '../training/dataset.js';
import type { Evaluation } from '../training/trainer.js';
import type { Communicator } from './communicator.js';
import { PhasedExecutable, type PhaseCut } from './phased_executable.js';
import { broadcastStates, deviceFailure, evaluateShard, type RankEngine, type StepOutcome, zeroStatus } from './rank_engine.js';
import { now, Timeline } from './timeline.js';

/**
 * One rank of data-parallel training: the whole model on this rank's device, a slice of every
 * global batch. A step submits the 'grads' phase cut after each bucket's last gradient, reads
 * each bucket back as soon as its segment is done and all-reduces it (mean, bucket after bucket,
 * in the program's order) while the device runs the rest of the backward pass, then submits
 * 'apply' with the reduced gradients. Optimizer state stays on each rank and stays identical,
 * since every rank applies the same reduced gradients to the same parameters.
 */
export class DataParallelRank implements RankEngine {
  readonly comm: Communicator;
  readonly program: DataParallelProgram;
  readonly timeline: Timeline;
  #exe: PhasedExecutable;
  readonly #x: TensorData;
  readonly #y: TensorData;
  /** The grads phase's cuts, and for each bucket where its values come back (a cut's index, or -1: the end). */
  readonly #cuts: PhaseCut[];
  readonly #finalOutputs: string[];
  readonly #bucketAt: number[];

  private constructor(comm: Communicator, program: DataParallelProgram, exe: PhasedExecutable, timeline: Timeline) {
    this.comm = comm;
    this.program = program;
    this.#exe = exe;
    this.timeline = timeline;
    this.#x = allocHost(program.input.dtype, program.localBatch * numel(program.input.exampleShape));
    this.#y = allocHost(program.target.dtype, program.localBatch * numel(program.target.exampleShape));
    const grads = exe.phase('grads');
    const steps = [...new Set(program.buckets.map((b) => b.readyAfterStep).filter((s) => s < grads.endStep - 1))].sort((a, b) => a - b);
    this.#cuts = steps.map((afterStep) => ({ afterStep, outputs: program.buckets.filter((b) => b.readyAfterStep === afterStep).flatMap((b) => b.outputs) }));
    this.#bucketAt = program.buckets.map((b) => steps.indexOf(b.readyAfterStep));
    this.#finalOutputs = ['loss', ...(program.accuracy ? ['correct'] : []), ...program.buckets.filter((_, i) => this.#bucketAt[i] < 0).flatMap((b) => b.outputs)];
  }

  /** Loads the program on a device of its own and makes every rank's states rank 0's. */
  static async load(comm: Communicator, program: DataParallelProgram, options: { readonly device?: DawnDevice; readonly timeline?: boolean } = {}): Promise<DataParallelRank> {
    if (program.format !== DATA_PARALLEL_FORMAT) throw new UsageError(`not a data-parallel program (format '${String(program.format)}')`);
    if (comm.size !== program.devices) throw new UsageError(`the data-parallel program was compiled for ${program.devices} devices; the job has ${comm.size} ranks`);
    const exe = await PhasedExecutable.load(program.phased, options.device ?? (await acquireDevice()));
    const rank = new DataParallelRank(comm, program, exe, new Timeline(options.timeline ?? false));
    await broadcastStates(comm, exe, 0);
    return rank;
  }

  get globalBatch(): number {
    return this.program.globalBatch;
  }

  get accuracy(): boolean {
    return this.program.accuracy;
  }

  get device(): DawnDevice {
    return this.#exe.device;
  }

  /**
   * One global step: `rows` are the global batch's examples (every rank passes the same), this
   * rank trains on its slice. Every rank returns the same outcome; when a rank's device was lost
   * the step is void on every rank (`lostRanks`), and the caller restores a snapshot.
   */
  async step(rows: readonly number[], data: Dataset, step: number): Promise<StepOutcome> {
    const b = this.program.localBatch;
    if (rows.length !== this.program.globalBatch) throw new UsageError(`data-parallel step: ${rows.length} rows for a global batch of ${this.program.globalBatch}`);
    await data.read(rows.slice(this.comm.rank * b, (this.comm.rank + 1) * b), this.#x, this.#y);
    let lost = false;
    let run: ReturnType<PhasedExecutable['submit']> | undefined;
    const submitted = now();
    try {
      run = this.#exe.submit('grads', { [this.program.input.name]: this.#x, [this.program.target.name]: this.#y }, { outputs: this.#finalOutputs, cuts: this.#cuts, timed: this.timeline.enabled });
    } catch (error) {
      lost = await deviceFailure(this.#exe.device, error);
    }

    // Bucket after bucket, in the program's order: each waits for its segment, then for the previous reduction.
    const reduced: Float32Array[] = [];
    for (const [i, bucket] of this.program.buckets.entries()) {
      const handle: RunHandle | undefined = run ? (this.#bucketAt[i] >= 0 ? run.cuts[this.#bucketAt[i]] : run.final) : undefined;
      const values = new Float32Array(bucket.elements);
      if (handle && !lost) {
        try {
          concat(bucket, await handle.read(), values);
        } catch (error) {
          lost = await deviceFailure(this.#exe.device, error);
          values.fill(0);
        }
      }
      await this.timeline.transfer(step, `all-reduce bucket ${i}`, 4 * bucket.elements, () => this.comm.allReduce(values, 'mean'));
      reduced.push(values);
    }
    // Read after the buckets (the last bucket usually comes with it): a pending read polls a core.
    let outputs: Record<string, HostTensor> | undefined;
    if (run && !lost) {
      try {
        outputs = await run.final.read();
      } catch (error) {
        lost = await deviceFailure(this.#exe.device, error);
      }
    }
    const gradsDone = now();
    if (run && !lost) {
      try {
        const inputs: Record<string, Float32Array> = {};
        this.program.buckets.forEach((bucket, i) => split(bucket, reduced[i], inputs, this.#exe));
        const applySubmitted = now();
        const apply = this.#exe.submit('apply', inputs, { timed: this.timeline.enabled });
        if (this.timeline.enabled) {
          const grads = run;
          this.timeline.later(Promise.all([grads.deviceTimes(), apply.final.read().then(now, () => now()), apply.deviceTimes()]), ([gradTimes, applyDone, applyTimes]) => {
            this.timeline.compute(step, 'grads', submitted, gradsDone, gradTimes, [...this.#cuts.map((c) => `to step ${c.afterStep}`), 'rest']);
            this.timeline.compute(step, 'apply', applySubmitted, applyDone, applyTimes, ['apply']);
          });
        }
      } catch (error) {
        lost = await deviceFailure(this.#exe.device, error);
      }
    }
    const status = zeroStatus(this.comm.size);
    if (lost) status[this.comm.rank] = 1;
    else if (outputs) {
      status[this.comm.size] = Number(outputs.loss.data[0]) * b;
      status[this.comm.size + 1] = this.program.accuracy ? Number(outputs.correct.data[0]) : 0;
    }
    await this.timeline.transfer(step, 'status', 4 * status.length, () => this.comm.allReduce(status, 'sum'));
    const lostRanks = [...status.subarray(0, this.comm.size)].flatMap((v, r) => (v > 0 ? [r] : []));
    return { step, loss: status[this.comm.size] / this.program.globalBatch, correct: Math.round(status[this.comm.size + 1]), lostRanks };
  }

  /** Mean loss and accuracy over `data`, each rank evaluating a contiguous shard. */
  evaluate(data: Dataset): Promise<Evaluation> {
    return evaluateShard(this.#exe, data, {
      batch: this.program.evalBatchSize,
      input: this.program.input,
      target: this.program.target,
      accuracy: this.program.accuracy,
      shard: { index: this.comm.rank, count: this.comm.size },
      reduce: this.comm,
    });
  }

  /** Every state of this rank (single-device names). */
  snapshot(): Promise<Record<string, HostTensor>> {
    return this.#exe.readStates();
  }

  restore(states: Readonly<Record<string, HostTensor>>): void {
    for (const name of this.#exe.stateNames) {
      const t = states[name];
      if (!t) throw new UsageError(`data-parallel rank ${this.comm.rank}: the states to restore lack '${name}'`);
      this.#exe.writeState(name, t);
    }
  }

  /** The single-device states on rank 0 (every rank holds the same); undefined elsewhere. */
  async gatherStates(): Promise<Record<string, HostTensor> | undefined> {
    return this.comm.rank === 0 ? this.snapshot() : undefined;
  }

  /** A new device and executable after this rank's device was lost (states as compiled: restore follows). */
  async rebuild(): Promise<void> {
    this.#exe.dispose();
    this.#exe = await PhasedExecutable.load(this.program.phased, await acquireDevice());
  }

  /** Loses this rank's device the way a driver reset would (tests and fault drills). */
  loseDevice(): void {
    this.#exe.device.device.destroy();
  }

  close(): Promise<void> {
    return this.#exe.close();
  }
}

function concat(bucket: GradientBucket, outputs: Record<string, HostTensor>, into: Float32Array): void {
  let offset = 0;
  for (const name of bucket.outputs) {
    const data = outputs[name].data as Float32Array;
    into.set(data, offset);
    offset += data.length;
  }
}

function split(bucket: GradientBucket, values: Float32Array, into: Record<string, Float32Array>, exe: PhasedExecutable): void {
  const apply = exe.phase('apply');
  let offset = 0;
  for (const name of bucket.inputs) {
    const n = numel(exe.tensorOf(apply, name, 'inputs').shape);
    into[name] = values.subarray(offset, offset + n);
    offset += n;
  }
}
