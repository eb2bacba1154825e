import type { NamedTensors } from './case_inputs.js';

/**
 * A peer's outputs against the reference's: the largest elementwise difference relative to
 * the reference's largest magnitude, over all outputs (elementwise relative error would blow
 * up on outputs near zero, e.g. most of a softmax).
 */

export interface CheckResult {
  /** Infinity for a missing or mis-shaped output or a non-finite value. */
  readonly maxRelError: number;
  readonly problem?: string;
}

export function compareOutputs(actual: NamedTensors, reference: NamedTensors): CheckResult {
  let worst = 0;
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name];
    if (!got) return { maxRelError: Infinity, problem: `output '${name}' missing (has ${Object.keys(actual).join(', ') || 'none'})` };
    if (got.data.length !== ref.data.length) return { maxRelError: Infinity, problem: `output '${name}' has ${got.data.length} elements, the reference ${ref.data.length}` };
    let scale = 0;
    for (let i = 0; i < ref.data.length; i++) scale = Math.max(scale, Math.abs(ref.data[i]));
    scale = Math.max(scale, 1e-30);
    for (let i = 0; i < ref.data.length; i++) {
      const diff = Math.abs(got.data[i] - ref.data[i]);
      if (!Number.isFinite(got.data[i])) return { maxRelError: Infinity, problem: `output '${name}'[${i}] is ${got.data[i]}` };
      worst = Math.max(worst, diff / scale);
    }
  }
  return { maxRelError: worst };
}
