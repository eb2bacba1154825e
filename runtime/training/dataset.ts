import type { DType, TensorData } from '../../ir/dtype.js';
import { dtypeOfData } from '../../ir/dtype.js';
import { InputError } from '../../ir/errors.js';
import type { StaticShape } from '../../ir/shape.js';
import { NpyFile } from './npy.js';

/** Examples (input, target) by index: in memory or streamed from files. */
export interface Dataset {
  readonly size: number;
  /** Element count of one example's input and target. */
  readonly inputElements: number;
  readonly targetElements: number;
  /** Copies examples `indices` into x and y, row i ← example indices[i]. */
  read(indices: readonly number[], x: TensorData, y: TensorData): Promise<void>;
  close?(): Promise<void>;
}

const product = (shape: StaticShape) => shape.reduce((a, b) => a * b, 1);

/** Typed arrays holding every example, row-major with examples first. */
export class ArrayDataset implements Dataset {
  readonly size: number;
  readonly inputElements: number;
  readonly targetElements: number;

  constructor(
    readonly x: TensorData,
    readonly y: TensorData,
    inputShape: StaticShape,
    targetShape: StaticShape = [],
  ) {
    this.inputElements = product(inputShape);
    this.targetElements = product(targetShape);
    this.size = x.length / this.inputElements;
    if (!Number.isInteger(this.size)) throw new InputError(`dataset: ${x.length} input values do not divide into examples of ${this.inputElements}`);
    if (y.length !== this.size * this.targetElements) throw new InputError(`dataset: ${y.length} target values for ${this.size} examples of ${this.targetElements}`);
  }

  get inputDType(): DType {
    return dtypeOfData(this.x);
  }

  /** The examples [start, end) as a dataset sharing this one's memory. */
  slice(start: number, end: number): ArrayDataset {
    return new ArrayDataset(
      this.x.subarray(start * this.inputElements, end * this.inputElements),
      this.y.subarray(start * this.targetElements, end * this.targetElements),
      [this.inputElements],
      [this.targetElements],
    );
  }

  async read(indices: readonly number[], x: TensorData, y: TensorData): Promise<void> {
    indices.forEach((e, row) => {
      x.set(this.x.subarray(e * this.inputElements, (e + 1) * this.inputElements) as never, row * this.inputElements);
      y.set(this.y.subarray(e * this.targetElements, (e + 1) * this.targetElements) as never, row * this.targetElements);
    });
  }
}

/**
 * Inputs and targets in two .npy files (first axis = examples), read a batch at a time: only
 * the rows asked for are read, consecutive ones in one read, so files may exceed memory.
 */
export class NpyDataset implements Dataset {
  private constructor(
    readonly inputs: NpyFile,
    readonly targets: NpyFile,
  ) {}

  static async open(inputPath: string, targetPath: string): Promise<NpyDataset> {
    const [inputs, targets] = await Promise.all([NpyFile.open(inputPath), NpyFile.open(targetPath)]);
    if (inputs.rows !== targets.rows) {
      await Promise.all([inputs.close(), targets.close()]);
      throw new InputError(`${inputPath} has ${inputs.rows} examples, ${targetPath} has ${targets.rows}`);
    }
    return new NpyDataset(inputs, targets);
  }

  get size(): number {
    return this.inputs.rows;
  }
  get inputElements(): number {
    return this.inputs.rowElements;
  }
  get targetElements(): number {
    return this.targets.rowElements;
  }

  async read(indices: readonly number[], x: TensorData, y: TensorData): Promise<void> {
    const reads: Promise<void>[] = [];
    for (let i = 0; i < indices.length; ) {
      let run = 1;
      while (i + run < indices.length && indices[i + run] === indices[i] + run) run++;
      reads.push(this.inputs.readRows(indices[i], run, x, i * this.inputElements));
      reads.push(this.targets.readRows(indices[i], run, y, i * this.targetElements));
      i += run;
    }
    await Promise.all(reads);
  }

  async close(): Promise<void> {
    await Promise.all([this.inputs.close(), this.targets.close()]);
  }
}
