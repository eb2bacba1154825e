import { NumericError } from '../ir/errors.js';
import type { HostTensor } from '../ir/tensor.js';
import type { RunFeed } from './device_feeds.js';
import type { DeviceTensor } from './device_tensor.js';
import type { PlanRunner } from './plan_runner.js';

/**
 * The numeric guard: after a run, look for NaN and infinities in its outputs and states, and
 * say where the first one is. Checking costs a readback of the states per run, so it is an
 * option (`numericGuard` of Executable.load), meant for training runs that would rather stop,
 * or skip a step, than carry a NaN into every parameter.
 */

export interface NumericGuardOptions {
  /** Check the states after each run as well as its outputs (default true). */
  readonly states?: boolean;
  /**
   * Undo the state updates of a run that produced a non-finite value (default false): the
   * states go back to what they were before that run, on the GPU.
   */
  readonly skipUpdate?: boolean;
  /**
   * Called instead of throwing: run() then returns the run's outputs as they are. Without it,
   * run() rejects with the NonFiniteError.
   */
  readonly onNonFinite?: (error: NonFiniteError) => void;
}

export interface NonFiniteFinding {
  /** The run's 1-based index on its executable (a training step per run). */
  readonly step: number;
  /** 'output' or 'state', and its name. */
  readonly kind: 'output' | 'state';
  readonly tensor: string;
  /** The first non-finite element's flat index, and its value (NaN, Infinity or -Infinity). */
  readonly index: number;
  readonly value: number;
  /** Whether the run's state updates were undone. */
  readonly skipped: boolean;
}

/** A NumericError that says where: step, tensor, element. */
export class NonFiniteError extends NumericError {
  readonly finding: NonFiniteFinding;
  constructor(where: string, finding: NonFiniteFinding) {
    const { step, kind, tensor, index, value, skipped } = finding;
    super(`${where}, step ${step}: ${kind} '${tensor}' holds ${value} at element ${index}${skipped ? '; the state updates of this step were undone' : ''}`);
    this.finding = finding;
  }
}

/** The first non-finite element of a float tensor (f16 as its bit pattern), or undefined. */
export function firstNonFinite(t: HostTensor): { index: number; value: number } | undefined {
  const data = t.data;
  if (t.dtype === 'f32') {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return { index: i, value: data[i] };
  } else if (t.dtype === 'f16') {
    for (let i = 0; i < data.length; i++) {
      const bits = data[i];
      if ((bits & 0x7c00) === 0x7c00) return { index: i, value: (bits & 0x3ff) !== 0 ? NaN : bits & 0x8000 ? -Infinity : Infinity };
    }
  }
  return undefined;
}

/** The first non-finite value: outputs in the order given, then states. */
export function findNonFinite(
  outputs: Readonly<Record<string, HostTensor>>,
  states: Readonly<Record<string, HostTensor>> | undefined,
): { kind: 'output' | 'state'; tensor: string; index: number; value: number } | undefined {
  for (const [kind, tensors] of [['output', outputs], ['state', states ?? {}]] as const) {
    for (const [name, value] of Object.entries(tensors)) {
      const found = firstNonFinite(value);
      if (found) return { kind, tensor: name, ...found };
    }
  }
  return undefined;
}

/** What a guarded run needs of the snapshot policy. */
export interface GuardedSnapshots {
  /** Whether the run with this index takes a snapshot. */
  dueAt(run: number): boolean;
  /** Keeps states the guard found finite as that run's snapshot. */
  keep(run: number, states: Readonly<Record<string, HostTensor>>): void;
}

/** The guard as a policy around a PlanRunner: one checked run at a time. */
export class NumericGuard {
  readonly #options: NumericGuardOptions;
  #last: Promise<void> = Promise.resolve();

  constructor(options: NumericGuardOptions) {
    this.#options = options;
  }

  /**
   * Runs `work` once every guarded run before it has been checked. Guarded runs go one at a time
   * because each verdict must come before the next run starts: a run submitted behind an
   * unchecked one would build on states that check may reject, and the undo of `skipUpdate`
   * restores the one backup buffer, which the next run's start overwrites.
   */
  async oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.#last;
    let release!: () => void;
    this.#last = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Submits one run with the states set aside before it and copied home after it, and checks its
   * outputs and states. A non-finite value is a NonFiniteError (thrown, or handed to
   * `onNonFinite`, the outputs then returned as they are); with `skipUpdate` the run's state
   * updates are undone first. A run whose snapshot is due keeps its states copy as the snapshot
   * only once found finite.
   */
  async checkedRun(
    runner: PlanRunner,
    inputs: Readonly<Record<string, RunFeed>>,
    options: { readonly outputs?: readonly string[]; readonly into?: Readonly<Record<string, DeviceTensor>> },
    snapshots: GuardedSnapshots,
  ): Promise<Record<string, HostTensor>> {
    const checkStates = this.#options.states !== false;
    const snapshotDue = snapshots.dueAt(runner.runCount + 1);
    const submitted = runner.submit(inputs, { outputs: options.outputs, into: options.into, readStates: snapshotDue || checkStates, backupStates: true });
    const [values, states] = await Promise.all([submitted.handle.read(), submitted.states?.read()]);
    const found = findNonFinite(values, checkStates ? states : undefined);
    if (!found) {
      if (states && snapshotDue) snapshots.keep(submitted.run, states);
      return values;
    }
    const skipped = this.#options.skipUpdate === true && runner.undoLastRun();
    const error = new NonFiniteError(runner.what, { step: submitted.run, ...found, skipped });
    if (!this.#options.onNonFinite) throw error;
    this.#options.onNonFinite(error);
    return values;
  }
}
