import { NumericError, UsageError } from '../../ir/errors.js';
import { philox4x32 } from '../../ir/philox.js';

/**
 * Choosing the next token from a position's logits, on the host: greedy (the arg max), or a
 * draw from softmax(logits / temperature) restricted to the `topK` most likely tokens. Draws are
 * counter-based (Philox keyed by the seed, counted by the draw's index), so a seed gives the same
 * tokens on every run, machine and batch row order, and any draw can be reproduced alone.
 */

export type SamplingOptions =
  | { readonly strategy: 'greedy' }
  | {
      readonly strategy: 'sample';
      /** Divides the logits: below 1 sharpens, above 1 flattens (default 1; 0 is greedy). */
      readonly temperature?: number;
      /** Draw only among the k most likely tokens (default: all). */
      readonly topK?: number;
      /** Seeds the draws (default 0). */
      readonly seed?: number;
    };

export const GREEDY: SamplingOptions = { strategy: 'greedy' };

/** A distinct key word for sampling's Philox stream, so it never shares one with dropout's. */
const SAMPLING_KEY = 0x5a4d504c;

/** Checks the options once, before any token is generated. */
export function checkSampling(options: SamplingOptions): void {
  if (options.strategy === 'greedy') return;
  if (options.strategy !== 'sample') throw new UsageError(`sampling: unknown strategy '${String((options as { strategy: unknown }).strategy)}' (greedy, sample)`);
  const { temperature = 1, topK, seed = 0 } = options;
  if (!(Number.isFinite(temperature) && temperature >= 0)) throw new UsageError(`sampling: temperature must be a finite number ≥ 0, got ${temperature}`);
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new UsageError(`sampling: topK must be a whole number ≥ 1, got ${topK}`);
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) throw new UsageError(`sampling: seed must be a u32, got ${seed}`);
}

/** The index of the largest logit (the first of equals). */
export function argMax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** A uniform number in [0, 1) with 53 random bits: draw `index` of the stream `seed`. */
export function uniform(seed: number, index: number): number {
  const [a, b] = philox4x32([index >>> 0, Math.floor(index / 2 ** 32) >>> 0, 0, 0], [seed >>> 0, SAMPLING_KEY]);
  return ((a >>> 5) * 2 ** 26 + (b >>> 6)) / 2 ** 53;
}

/**
 * The token chosen from `logits` (one position, vocabulary-long) as draw number `draw` of the
 * generation. NaN logits are a NumericError: no token can be honestly chosen.
 */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, draw: number): number {
  if (logits.length === 0) throw new UsageError('sampling: no logits to choose from');
  for (let i = 0; i < logits.length; i++) {
    if (Number.isNaN(logits[i]) || logits[i] === Infinity) throw new NumericError(`sampling: logit ${i} of ${logits.length} is ${logits[i]} (draw ${draw})`);
  }
  if (options.strategy === 'greedy' || (options.temperature ?? 1) === 0) return argMax(logits);
  const temperature = options.temperature ?? 1;
  // Candidates by logit, largest first; equal logits keep vocabulary order, so ties are deterministic.
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const kept = order.slice(0, Math.min(options.topK ?? logits.length, logits.length));
  const top = logits[kept[0]];
  if (top === -Infinity) throw new NumericError(`sampling: every logit is -Infinity (draw ${draw})`);
  // Softmax in float64 relative to the largest logit: exp never overflows.
  const weights = kept.map((i) => Math.exp((logits[i] - top) / temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  let u = uniform(options.seed ?? 0, draw) * total;
  for (let j = 0; j < kept.length; j++) {
    u -= weights[j];
    if (u < 0) return kept[j];
  }
  return kept[kept.length - 1];
}
