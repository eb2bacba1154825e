import type { TensorData } from '../../ir/dtype.js';
import { allocHost } from '../../ir/dtype.js';
import { InputError, NumericError, UsageError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import { numel, staticShape } from '../../ir/shape.js';
import type { TrainingProgram } from '../../ir/training_plan.js';
import { TRAINING_FORMAT } from '../../ir/training_plan.js';
import type { DawnDevice } from '../device.js';
import { getDefaultDevice } from '../device.js';
import { Executable } from '../executable.js';
import type { RunHandle } from '../run_handle.js';
import type { EpochRecord } from './curves.js';
import { writeCurves } from './curves_file.js';
import type { Dataset } from './dataset.js';
import type { ProgressMode, ProgressStream } from './progress.js';
import { Progress } from './progress.js';
import { seededShuffle } from '../data/seeded_order.js';

export interface FitOptions {
  readonly epochs: number;
  /** Reshuffle the examples every epoch (default true), seeded by `seed`. */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Evaluated after every epoch with the parameters of that moment. */
  readonly validation?: Dataset;
  /**
   * Ends with the states of the epoch that did best on `validation` (highest accuracy when
   * measured, else lowest loss) instead of the last: the number of epochs chosen on the
   * validation split (early stopping), never on test data. The returned records mark it `best`.
   */
  readonly keepBest?: boolean;
  readonly progress?: ProgressMode;
  readonly stream?: ProgressStream;
  /** Writes the loss/accuracy curves here after every epoch: SVG, or a self-contained page for an .html path. */
  readonly curves?: string;
  /** 'throw': a NumericError at the first step whose loss or gradients are not finite. */
  readonly onNonFinite?: 'throw' | 'ignore';
  readonly onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

export interface Evaluation {
  readonly loss: number;
  readonly accuracy?: number;
  readonly examples: number;
}

/** One step's handle: its outputs are read only when asked (the GPU runs ahead meanwhile). */
export interface StepResult {
  readonly step: number;
  loss(): Promise<number>;
  /** Correct predictions in the batch (with accuracy). */
  correct(): Promise<number>;
  /** 1 when every gradient was finite. */
  finite(): Promise<boolean>;
  /** The first parameter (in the program's gradient order) whose gradient is not finite. */
  firstNonFiniteGradient(): Promise<string | undefined>;
}

/**
 * Deterministic Fisher–Yates order for one epoch (mulberry32 seeded by seed and epoch; the
 * shuffle is runtime/data's `seededShuffle`, which ParquetDataset's per-rank orders use too).
 */
export function epochOrder(size: number, seed: number, epoch: number, shuffle: boolean): number[] {
  if (!shuffle) return Array.from({ length: size }, (_, i) => i);
  return seededShuffle(size, Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b));
}

/**
 * Runs a TrainingProgram: one `step()` per batch with parameters and optimizer state resident
 * on the device, `evaluate()`/`predict()` through the evaluation plan, and `fit()` over epochs.
 *
 * Evaluation shares the parameters by copying: the two plans are separate executables with
 * their own state buffers, and before an evaluation that follows training steps the trainer
 * copies each parameter (and BatchNorm statistic) from the step's states into the evaluation's
 * (readState → writeState, a few hundred KB for an MLP). That keeps both plans plain Plans the
 * runtime already runs, at the price of one copy per evaluation, not per step.
 */
export class Trainer {
  readonly program: TrainingProgram;
  readonly train: Executable;
  readonly evaluator: Executable;
  #steps = 0;
  #evalSyncedAt = -1;
  #buffers: { x: TensorData; y: TensorData }[];
  #next = 0;

  private constructor(program: TrainingProgram, train: Executable, evaluator: Executable) {
    this.program = program;
    this.train = train;
    this.evaluator = evaluator;
    // Two batch buffers alternate: one is being filled while the other's upload is queued.
    this.#buffers = [0, 1].map(() => this.#allocBatch(program.batchSize));
  }

  static async load(program: TrainingProgram, device?: DawnDevice): Promise<Trainer> {
    if (program.format !== TRAINING_FORMAT) throw new UsageError(`not a training program (format '${String(program.format)}')`);
    const dev = device ?? (await getDefaultDevice());
    const train = await Executable.load(program.train, dev);
    try {
      return new Trainer(program, train, await Executable.load(program.eval, dev));
    } catch (e) {
      train.dispose();
      throw e;
    }
  }

  /** Steps run so far by this trainer. */
  get steps(): number {
    return this.#steps;
  }

  /**
   * A batch's inputs by name: all its rows for a plan of fixed batch size (a short batch padded),
   * the first `count` rows only where the batch is a symbolic dim (the plan runs at that size).
   */
  #rows(batch: { x: TensorData; y: TensorData }, count: number): Record<string, TensorData> {
    const { input, target } = this.program;
    if (!this.program.batchDim) return { [input.name]: batch.x, [target.name]: batch.y };
    return { [input.name]: batch.x.subarray(0, count * numel(input.exampleShape)), [target.name]: batch.y.subarray(0, count * numel(target.exampleShape)) };
  }

  #allocBatch(rows: number): { x: TensorData; y: TensorData } {
    const { input, target } = this.program;
    const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    return { x: allocHost(input.dtype, rows * elements(input.exampleShape)), y: allocHost(target.dtype, rows * elements(target.exampleShape)) };
  }

  /** Submits one training step on a full batch; nothing waits for the GPU. */
  step(x: TensorData, y: TensorData): StepResult {
    const flags = this.program.gradientNames.length > 0;
    const outputs = ['loss', 'finite', ...(this.program.accuracy ? ['correct'] : []), ...(flags ? ['gradientFinite'] : [])];
    const handle: RunHandle = this.train.dispatch({ [this.program.input.name]: x, [this.program.target.name]: y }, { outputs });
    const step = this.#steps++;
    const scalar = (name: string) => handle.read(name).then((t) => Number(t.data[0]));
    return {
      step,
      loss: () => scalar('loss'),
      correct: () => (this.program.accuracy ? scalar('correct') : Promise.reject(new UsageError('this program does not measure accuracy'))),
      finite: () => scalar('finite').then((v) => v === 1),
      firstNonFiniteGradient: async () => {
        if (!flags) return undefined;
        const ok = (await handle.read('gradientFinite')).data;
        const i = Array.from(ok).findIndex((v) => v !== 1);
        return i < 0 ? undefined : this.program.gradientNames[i];
      },
    };
  }

  /** Copies the parameters training has changed into the evaluation plan. */
  async #syncEvaluation(): Promise<void> {
    if (this.#evalSyncedAt === this.#steps) return;
    const wanted = new Set(this.evaluator.states.map((s) => s.name));
    for (const name of [...this.program.parameters, ...this.program.buffers]) {
      if (wanted.has(name)) this.evaluator.writeState(name, await this.train.readState(name));
    }
    this.#evalSyncedAt = this.#steps;
  }

  /** Mean loss (and accuracy) over a data set, in evaluation mode, every example counted once. */
  async evaluate(data: Dataset): Promise<Evaluation> {
    this.#checkShapes(data);
    await this.#syncEvaluation();
    const rows = this.program.evalBatchSize;
    const batch = this.#allocBatch(rows);
    let loss = 0;
    let correct = 0;
    const pending: Promise<void>[] = [];
    for (let start = 0; start < data.size; start += rows) {
      const count = Math.min(rows, data.size - start);
      // A short last batch is padded with zeros; only its real rows are counted.
      batch.x.fill(0);
      batch.y.fill(0);
      await data.read(Array.from({ length: count }, (_, i) => start + i), batch.x, batch.y);
      const outputs = ['loss', ...(this.program.accuracy ? ['correct'] : [])];
      const handle = this.evaluator.dispatch(this.#rows(batch, count), { outputs });
      pending.push(
        handle.read().then((out) => {
          for (let i = 0; i < count; i++) {
            loss += Number(out.loss.data[i]);
            if (out.correct) correct += Number(out.correct.data[i]);
          }
        }),
      );
    }
    await Promise.all(pending);
    const n = data.size;
    return { loss: loss / n, examples: n, ...(this.program.accuracy ? { accuracy: correct / n } : {}) };
  }

  /** The model's outputs for `count` examples of x (evaluation mode). */
  async predict(x: TensorData, count: number): Promise<HostTensor> {
    await this.#syncEvaluation();
    const rows = this.program.evalBatchSize;
    const per = this.program.input.exampleShape.reduce((a, b) => a * b, 1);
    if (x.length !== count * per) throw new InputError(`predict: ${x.length} values for ${count} examples of ${per}`);
    const spec = this.evaluator.outputs.find((o) => o.name === 'prediction')!;
    const perOut = numel(staticShape(spec.shape.slice(1), `predict: output '${spec.name}' per example`));
    const out = allocHost(spec.dtype, count * perOut);
    const batch = this.#allocBatch(rows);
    for (let start = 0; start < count; start += rows) {
      const n = Math.min(rows, count - start);
      batch.x.fill(0);
      batch.x.set(x.subarray(start * per, (start + n) * per) as never);
      const result = await this.evaluator.run(this.#rows(batch, n), { outputs: ['prediction'] });
      out.set(result.prediction.data.subarray(0, n * perOut) as never, start * perOut);
    }
    return { dtype: spec.dtype, shape: [count, ...staticShape(spec.shape.slice(1), 'predict')], data: out };
  }

  /**
   * Trains for `epochs` over `data` in batches of the program's size (a last partial batch is
   * left for the next epoch's shuffle), reading the next batch while the GPU runs the current
   * step and reading each step's loss one step late, so the device never waits for the host.
   */
  async fit(data: Dataset, options: FitOptions): Promise<EpochRecord[]> {
    this.#checkShapes(data);
    const batch = this.program.batchSize;
    const steps = Math.floor(data.size / batch);
    if (steps === 0) throw new UsageError(`fit: ${data.size} examples make no full batch of ${batch}`);
    if (options.keepBest && !options.validation) throw new UsageError('fit: keepBest chooses an epoch on the validation data: give `validation`');
    const progress = new Progress(options.stream ?? process.stdout, options.progress ?? 'auto');
    const history: EpochRecord[] = [];
    let best: { score: number; epoch: number; states: Record<string, HostTensor> } | undefined;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = epochOrder(data.size, options.seed ?? 0, epoch - 1, options.shuffle ?? true);
      const started = performance.now();
      progress.startEpoch(epoch, options.epochs, steps);
      let lossSum = 0;
      let correct = 0;
      let done = 0;
      const account = async (r: StepResult) => {
        const loss = await r.loss();
        if (options.onNonFinite === 'throw' && (!Number.isFinite(loss) || !(await r.finite()))) {
          const where = `training step ${r.step} (epoch ${epoch}, batch ${done})`;
          if (!Number.isFinite(loss)) throw new NumericError(`${where}: the loss is ${loss}`);
          throw new NumericError(`${where}: the gradient of '${(await r.firstNonFiniteGradient()) ?? '?'}' is not finite`);
        }
        lossSum += loss;
        if (this.program.accuracy) correct += await r.correct();
        done++;
        progress.update(done, lossSum / done, done * batch);
      };
      const read = (s: number) => {
        const buffers = this.#buffers[this.#next];
        this.#next = 1 - this.#next;
        return data.read(order.slice(s * batch, (s + 1) * batch), buffers.x, buffers.y).then(() => buffers);
      };
      let upcoming = read(0);
      let previous: StepResult | undefined;
      for (let s = 0; s < steps; s++) {
        const { x, y } = await upcoming;
        const current = this.step(x, y);
        if (s + 1 < steps) upcoming = read(s + 1);
        if (previous) await account(previous);
        previous = current;
      }
      if (previous) await account(previous);
      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / steps,
        ...(this.program.accuracy ? { accuracy: correct / (steps * batch) } : {}),
        seconds,
        examplesPerSecond: (steps * batch) / seconds,
      };
      let full = record;
      if (options.validation) {
        const v = await this.evaluate(options.validation);
        full = { ...record, valLoss: v.loss, ...(v.accuracy !== undefined ? { valAccuracy: v.accuracy } : {}) };
      }
      if (options.keepBest) {
        // Higher is better: accuracy, or the loss negated.
        const score = full.valAccuracy ?? -full.valLoss!;
        if (!best || score > best.score) best = { score, epoch, states: await this.snapshot() };
      }
      history.push(full);
      progress.endEpoch(summarize(full));
      if (options.curves) await writeCurves(options.curves, history);
      await options.onEpochEnd?.(full);
    }
    if (best) {
      this.restore(best.states);
      return history.map((r) => (r.epoch === best!.epoch ? { ...r, best: true } : r));
    }
    return history;
  }

  /** Every state of the step plan (parameters, buffers, optimizer moments, step counter). */
  async snapshot(): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const s of this.train.states) out[s.name] = await this.train.readState(s.name);
    return out;
  }

  /** Restores what `snapshot()` returned: training continues exactly from there. */
  restore(snapshot: Readonly<Record<string, HostTensor>>): void {
    for (const s of this.train.states) {
      const t = snapshot[s.name];
      if (!t) throw new InputError(`restore: the snapshot lacks state '${s.name}'`);
      this.train.writeState(s.name, t);
    }
    const step = snapshot[this.program.stepState];
    this.#steps = step ? Number(step.data[0]) : this.#steps;
    this.#evalSyncedAt = -1;
  }

  /** The trainable parameters' current values. */
  async parameters(): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const name of this.program.parameters) out[name] = await this.train.readState(name);
    return out;
  }

  dispose(): void {
    this.train.dispose();
    this.evaluator.dispose();
  }

  #checkShapes(data: Dataset): void {
    const per = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    if (data.inputElements !== per(this.program.input.exampleShape) || data.targetElements !== per(this.program.target.exampleShape)) {
      throw new InputError(
        `dataset examples have ${data.inputElements} input and ${data.targetElements} target values; the program expects ${per(this.program.input.exampleShape)} and ${per(this.program.target.exampleShape)}`,
      );
    }
  }
}

function summarize(r: EpochRecord): string {
  const parts = [`loss ${r.loss.toFixed(4)}`];
  if (r.accuracy !== undefined) parts.push(`accuracy ${(100 * r.accuracy).toFixed(2)}%`);
  if (r.valLoss !== undefined) parts.push(`val loss ${r.valLoss.toFixed(4)}`);
  if (r.valAccuracy !== undefined) parts.push(`val accuracy ${(100 * r.valAccuracy).toFixed(2)}%`);
  parts.push(`${r.seconds.toFixed(1)}s`, `${Math.round(r.examplesPerSecond)} ex/s`);
  return parts.join(' · ');
}
