import type { NamedTensors } from './case_inputs.js';

/**
 * A peer's outputs against the reference's: the largest elementwise difference relative to
 * the reference's largest finite magnitude, over all outputs (elementwise relative error would
 * blow up on outputs near zero, e.g. most of a softmax). Non-finite values never pass as close:
 * a NaN or an infinity must be matched exactly, and one where the reference is finite is
 * infinitely wrong (`NaN > tol` is false, so no comparison here is allowed to see a NaN).
 */

export interface CheckResult {
  /** Infinity for a missing or mis-shaped output or a non-finite value where it does not belong. */
  readonly maxRelError: number;
  readonly problem?: string;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

export function compareOutputs(actual: NamedTensors, reference: NamedTensors): CheckResult {
  let worst = 0;
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name];
    if (!got) return { maxRelError: Infinity, problem: `output '${name}' missing (has ${Object.keys(actual).join(', ') || 'none'})` };
    if (got.data.length !== ref.data.length || shapeText(got.shape) !== shapeText(ref.shape)) {
      return { maxRelError: Infinity, problem: `output '${name}' has shape ${shapeText(got.shape)} (${got.data.length} elements), the reference ${shapeText(ref.shape)} (${ref.data.length})` };
    }
    let scale = 0;
    for (let i = 0; i < ref.data.length; i++) if (Number.isFinite(ref.data[i])) scale = Math.max(scale, Math.abs(ref.data[i]));
    scale = Math.max(scale, 1e-30);
    for (let i = 0; i < ref.data.length; i++) {
      const a = got.data[i];
      const e = ref.data[i];
      if (Number.isFinite(e) && Number.isFinite(a)) {
        worst = Math.max(worst, Math.abs(a - e) / scale);
        continue;
      }
      if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
      return { maxRelError: Infinity, problem: `output '${name}'[${i}] is ${a}, the reference ${e}` };
    }
  }
  return { maxRelError: worst };
}
