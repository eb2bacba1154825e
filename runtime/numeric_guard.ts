import { NumericError } from '../ir/errors.js';
import type { HostTensor } from '../ir/tensor.js';

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
