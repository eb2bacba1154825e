import type { TensorData } from '../../ir/dtype.js';
import { allocHost } from '../../ir/dtype.js';
import { UsageError } from '../../ir/errors.js';
import type { CutTensor, PipelineProgram, PipelineStage } from '../../ir/parallel_program.js';
import { PIPELINE_FORMAT } from '../../ir/parallel_program.js';
import { numel } from '../../ir/shape.js';
import type { HostTensor } from '../../ir/tensor.js';
import { acquireDevice, type DawnDevice } from '../device.js';
import type { Dataset } from '../training/dataset.js';
import type { Evaluation } from '../training/trainer.js';
import type { Communicator } from './communicator.js';
import { GroupCommunicator } from './group_communicator.js';
import { sliceOf } from './in_process_communicator.js';
import { PhasedExecutable } from './phased_executable.js';
import { stageOps } from './pipeline_schedule.js';
import { broadcastStates, deviceFailure, type RankEngine, type StepOutcome, zeroStatus } from './rank_engine.js';
import { decodeStates, encodeStates, stageStateNames, stateTensor } from './stage_states.js';
import { now, Timeline } from './timeline.js';

/** Tags: micro-batch m's activation travels with tag m, its gradient with M + m; evaluation and gathering above. */
const EVAL_TAG = 20_000;
const GATHER_TAG = 20_001;

/**
 * One rank of pipeline training: stage `rank % S` of replica `⌊rank / S⌋`. A step runs the
 * stage's forward and backward passes of the replica's micro-batches in the schedule's order
 * (pipeline_schedule.ts), receiving activations from the stage before and gradients from the
 * stage after; the stage's inputs wait on the host until their backward pass, which recomputes
 * the forward. Then the accumulated gradients (averaged over the replicas of the stage, if any)
 * go through the optimizer.
 */
export class PipelineRank implements RankEngine {
  readonly comm: Communicator;
  readonly program: PipelineProgram;
  readonly stage: PipelineStage;
  readonly replica: number;
  readonly timeline: Timeline;
  /** The replicas of this stage (gradient averaging). */
  readonly #replicas: GroupCommunicator;
  #exe: PhasedExecutable;
  readonly #first: boolean;
  readonly #last: boolean;
  /** f32 elements of each gradient accumulator (stage.accumulators' order). */
  readonly #accumulatorElements: readonly number[];

  private constructor(comm: Communicator, program: PipelineProgram, exe: PhasedExecutable, timeline: Timeline) {
    this.comm = comm;
    this.program = program;
    const s = program.stages.length;
    this.stage = program.stages[comm.rank % s];
    this.replica = Math.floor(comm.rank / s);
    this.#exe = exe;
    this.timeline = timeline;
    this.#first = this.stage.index === 0;
    this.#last = this.stage.index === s - 1;
    // Elements, not bytes / 4: the replicas all-reduce the accumulators as one f32 block.
    this.#accumulatorElements = this.stage.accumulators.map((n) => numel(stateTensor(this.stage.phased.plan, n).shape));
    this.#replicas = new GroupCommunicator(
      comm,
      Array.from({ length: program.replicas }, (_, d) => d * s + this.stage.index),
    );
  }

  static async load(comm: Communicator, program: PipelineProgram, options: { readonly device?: DawnDevice; readonly timeline?: boolean } = {}): Promise<PipelineRank> {
    if (program.format !== PIPELINE_FORMAT) throw new UsageError(`not a pipeline program (format '${String(program.format)}')`);
    if (comm.size !== program.devices) {
      throw new UsageError(`the pipeline program was compiled for ${program.devices} devices (${program.replicas} × ${program.stages.length} stages); the job has ${comm.size} ranks`);
    }
    const stage = program.stages[comm.rank % program.stages.length];
    const exe = await PhasedExecutable.load(stage.phased, options.device ?? (await acquireDevice()));
    const rank = new PipelineRank(comm, program, exe, new Timeline(options.timeline ?? false));
    await broadcastStates(rank.#replicas, exe, 0);
    return rank;
  }

  get globalBatch(): number {
    return this.program.globalBatch;
  }

  get accuracy(): boolean {
    return this.program.accuracy;
  }

  async step(rows: readonly number[], data: Dataset, step: number): Promise<StepOutcome> {
    const { microBatches: m, microBatch: mb } = this.program;
    if (rows.length !== this.program.globalBatch) throw new UsageError(`pipeline step: ${rows.length} rows for a global batch of ${this.program.globalBatch}`);
    const mine = rows.slice(this.replica * m * mb, (this.replica + 1) * m * mb);
    const micro = (k: number) => mine.slice(k * mb, (k + 1) * mb);
    const saved = new Map<number, { input: TensorData; target: TensorData | undefined }>();
    const sends: Promise<void>[] = [];
    let lost = false;
    let lossSum = 0;
    let correct = 0;
    const guard = async <T>(run: () => Promise<T>, fallback: () => T): Promise<T> => {
      if (lost) return fallback();
      try {
        return await run();
      } catch (error) {
        lost = await deviceFailure(this.#exe.device, error);
        return fallback();
      }
    };

    for (const op of stageOps(this.program.schedule, this.program.stages.length, this.stage.index, m)) {
      const k = op.microBatch;
      if (op.kind === 'F') {
        const batch = await this.#stageInput(micro(k), data, step, k);
        saved.set(k, batch);
        if (this.#last) continue; // the last stage's backward runs its forward
        const out = await guard(
          () => this.#run(step, `F${k}`, 'forward', { [this.#inputName]: batch.input }, ['h_out']).then((r) => r.h_out.data),
          () => cutZeros(this.stage.output!, mb),
        );
        sends.push(this.timeline.transfer(step, `send F${k}`, out.byteLength, () => this.comm.send(out, this.comm.rank + 1, k)));
      } else {
        const { input, target } = saved.get(k)!;
        saved.delete(k);
        const inputs: Record<string, TensorData> = { [this.#inputName]: input };
        if (this.#last) inputs[this.program.target.name] = target!;
        else {
          const dy = cutZeros(this.stage.output!, mb);
          await this.timeline.transfer(step, `recv B${k}`, dy.byteLength, () => this.comm.recv(dy, this.comm.rank + 1, m + k));
          inputs['grad:h_out'] = dy;
        }
        const outputs = [...(this.#first ? [] : ['grad:h']), ...(this.#last ? ['loss', ...(this.program.accuracy ? ['correct'] : [])] : [])];
        const result = await guard(
          () => this.#run(step, `B${k}`, 'backward', inputs, outputs),
          () => ({}) as Record<string, HostTensor>,
        );
        if (this.#last && result.loss) {
          lossSum += Number(result.loss.data[0]) * mb;
          if (result.correct) correct += Number(result.correct.data[0]);
        }
        if (!this.#first) {
          const dx = result['grad:h']?.data ?? cutZeros(this.stage.input!, mb);
          sends.push(this.timeline.transfer(step, `send B${k}`, dx.byteLength, () => this.comm.send(dx, this.comm.rank - 1, m + k)));
        }
      }
    }
    await Promise.all(sends);
    await this.#update(step, () => lost, (v) => (lost = lost || v));
    const status = zeroStatus(this.comm.size);
    if (lost) status[this.comm.rank] = 1;
    status[this.comm.size] = lossSum;
    status[this.comm.size + 1] = correct;
    await this.timeline.transfer(step, 'status', 4 * status.length, () => this.comm.allReduce(status, 'sum'));
    const lostRanks = [...status.subarray(0, this.comm.size)].flatMap((v, r) => (v > 0 ? [r] : []));
    return { step, loss: status[this.comm.size] / this.program.globalBatch, correct: Math.round(status[this.comm.size + 1]), lostRanks };
  }

  get #inputName(): string {
    return this.#first ? this.program.input.name : this.stage.input!.name;
  }

  /** Micro-batch k's input: the data on the first stage, the previous stage's activation on the others (the last one also reads the targets). */
  async #stageInput(rows: readonly number[], data: Dataset, step: number, k: number): Promise<{ input: TensorData; target: TensorData | undefined }> {
    const mb = rows.length;
    let input: TensorData;
    let target: TensorData | undefined;
    if (this.#first || this.#last) {
      const x = allocHost(this.program.input.dtype, mb * numel(this.program.input.exampleShape));
      const y = allocHost(this.program.target.dtype, mb * numel(this.program.target.exampleShape));
      await data.read(rows, x, y);
      input = x;
      target = y;
    }
    if (!this.#first) {
      const h = cutZeros(this.stage.input!, mb);
      await this.timeline.transfer(step, `recv F${k}`, h.byteLength, () => this.comm.recv(h, this.comm.rank - 1, k));
      input = h;
    }
    return { input: input!, target: this.#last ? target : undefined };
  }

  async #run(step: number, label: string, phase: string, inputs: Record<string, TensorData>, outputs: readonly string[]): Promise<Record<string, HostTensor>> {
    const submitted = now();
    const run = this.#exe.submit(phase, inputs, { outputs, timed: this.timeline.enabled });
    const result = await run.final.read();
    const done = now();
    this.timeline.later(run.deviceTimes(), (times) => this.timeline.compute(step, label, submitted, done, times, [phase]));
    return result;
  }

  /** The optimizer on the accumulated gradients, averaged over the stage's replicas first when there are several. */
  async #update(step: number, isLost: () => boolean, setLost: (lost: boolean) => void): Promise<void> {
    let inputs: Record<string, Float32Array> = {};
    if (this.program.replicas > 1) {
      const names = this.stage.accumulators;
      let acc: Record<string, HostTensor> | undefined;
      if (!isLost()) {
        try {
          acc = await this.#exe.readStates(names);
        } catch (error) {
          setLost(await deviceFailure(this.#exe.device, error));
        }
      }
      const sizes = this.#accumulatorElements;
      const all = new Float32Array(sizes.reduce((a, b) => a + b, 0));
      let offset = 0;
      names.forEach((n, i) => {
        if (acc) all.set(acc[n].data as Float32Array, offset);
        inputs[this.stage.gradientInputs[i]] = all.subarray(offset, offset + sizes[i]);
        offset += sizes[i];
      });
      await this.timeline.transfer(step, 'all-reduce gradients', all.byteLength, () => this.#replicas.allReduce(all, 'mean'));
    } else inputs = {};
    if (isLost()) return;
    try {
      const submitted = now();
      const run = this.#exe.submit('apply', inputs, { timed: this.timeline.enabled });
      if (this.timeline.enabled) this.timeline.later(Promise.all([run.final.read().then(now, () => now()), run.deviceTimes()]), ([done, times]) => this.timeline.compute(step, 'apply', submitted, done, times, ['apply']));
    } catch (error) {
      setLost(await deviceFailure(this.#exe.device, error));
    }
  }

  /**
   * A stream of evaluation batches through the stages: each replica takes a contiguous shard
   * of `data`, the first stage reads it, the last sums the loss and the correct predictions.
   */
  async evaluate(data: Dataset): Promise<Evaluation> {
    const e = this.program.evalBatchSize;
    const [lo, hi] = sliceOf(data.size, this.program.replicas, this.replica);
    const x = allocHost(this.program.input.dtype, e * numel(this.program.input.exampleShape));
    const y = allocHost(this.program.target.dtype, e * numel(this.program.target.exampleShape));
    let loss = 0;
    let correct = 0;
    const sends: Promise<void>[] = [];
    for (let start = lo; start < hi; start += e) {
      const count = Math.min(e, hi - start);
      const inputs: Record<string, TensorData> = {};
      if (this.#first || this.#last) {
        x.fill(0);
        y.fill(0);
        await data.read(Array.from({ length: count }, (_, i) => start + i), x, y);
        inputs[this.program.input.name] = x;
        if (this.#last) inputs[this.program.target.name] = y;
      }
      if (!this.#first) {
        const h = cutZeros(this.stage.input!, e);
        await this.comm.recv(h, this.comm.rank - 1, EVAL_TAG);
        delete inputs[this.program.input.name];
        inputs[this.stage.input!.name] = h;
      }
      const outputs = this.#last ? ['loss', ...(this.program.accuracy ? ['correct'] : [])] : ['h_out'];
      const out = await this.#exe.submit('eval', inputs, { outputs }).final.read();
      if (this.#last) {
        for (let i = 0; i < count; i++) {
          loss += Number(out.loss.data[i]);
          if (out.correct) correct += Number(out.correct.data[i]);
        }
      } else sends.push(this.comm.send(out.h_out.data, this.comm.rank + 1, EVAL_TAG));
    }
    await Promise.all(sends);
    const sums = Float32Array.of(loss, correct);
    await this.comm.allReduce(sums, 'sum');
    return { loss: sums[0] / data.size, examples: data.size, ...(this.program.accuracy ? { accuracy: Math.round(sums[1]) / data.size } : {}) };
  }

  snapshot(): Promise<Record<string, HostTensor>> {
    return this.#exe.readStates();
  }

  /** Writes the states this stage holds; accumulators missing from `states` (a single-device checkpoint) start at zero. */
  restore(states: Readonly<Record<string, HostTensor>>): void {
    const accumulators = new Set(this.stage.accumulators);
    for (const name of this.#exe.stateNames) {
      const t = states[name];
      if (t) this.#exe.writeState(name, t);
      else if (accumulators.has(name)) {
        const zero = stateTensor(this.stage.phased.plan, name);
        this.#exe.writeState(name, allocHost(zero.dtype, numel(zero.shape)));
      } else throw new UsageError(`pipeline stage ${this.stage.index}: the states to restore lack '${name}'`);
    }
  }

  /** Collective: replica 0's stages send their states to rank 0, which merges them under single-device names. */
  async gatherStates(): Promise<Record<string, HostTensor> | undefined> {
    const mine = stageStateNames(this.stage);
    if (this.replica !== 0) return undefined;
    if (this.comm.rank !== 0) {
      await this.comm.send(encodeStates(await this.#exe.readStates(mine), mine), 0, GATHER_TAG);
      return undefined;
    }
    const merged: Record<string, HostTensor> = await this.#exe.readStates(mine);
    for (const stage of this.program.stages.slice(1)) {
      const names = stageStateNames(stage);
      const { bytes, decode } = decodeStates(stage.phased.plan, names);
      await this.comm.recv(bytes, stage.index, GATHER_TAG);
      for (const [name, t] of Object.entries(decode())) if (!(name in merged)) merged[name] = t;
    }
    return merged;
  }

  async rebuild(): Promise<void> {
    this.#exe.dispose();
    this.#exe = await PhasedExecutable.load(this.stage.phased, await acquireDevice());
  }

  loseDevice(): void {
    this.#exe.device.device.destroy();
  }

  close(): Promise<void> {
    return this.#exe.close();
  }
}

function cutZeros(cut: CutTensor, batch: number): TensorData {
  return allocHost(cut.dtype, batch * numel(cut.exampleShape));
}
