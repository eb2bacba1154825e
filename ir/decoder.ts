import type { Plan } from './plan.js';

/**
 * What a compiled autoregressive decoder is to the runtime: its shape facts and the names of
 * its plans' inputs and outputs. The names and the cache layout are those of transformers.js
 * and optimum's ONNX decoders: `input_ids`, `position_ids`, `past_key_values.<layer>.key|value`
 * in, `logits`, `present.<layer>.key|value` out, each cache tensor [batch, heads, length,
 * headDim]. The compiler (compiler/decoding) writes it; the runtime (runtime/generation) reads it.
 */

export const INPUT_IDS = 'input_ids';
export const POSITION_IDS = 'position_ids';
export const LOGITS = 'logits';

export type CacheKind = 'key' | 'value';
export const CACHE_KINDS: readonly CacheKind[] = ['key', 'value'];

/** `past_key_values.<layer>.<kind>`: an input of the decode plan. */
export function pastName(layer: number, kind: CacheKind): string {
  return `past_key_values.${layer}.${kind}`;
}

/** `present.<layer>.<kind>`: an output of the prefill and decode plans. */
export function presentName(layer: number, kind: CacheKind): string {
  return `present.${layer}.${kind}`;
}

/** The symbolic dims of the decoder's graphs. */
export const DECODER_DIMS = { batch: 'batch', promptLength: 'P', pastLength: 'T' } as const;

export interface DecoderSignature {
  readonly batch: number;
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  /** The most positions a sequence may reach (prompt and generated tokens together). */
  readonly contextLength: number;
}

/**
 * A decoder's two plans, plain data, each compiled once and serving every length:
 * - prefill: `input_ids` and `position_ids` [batch, P] → `logits` of the last position
 *   [batch, 1, vocab] and `present.*` [batch, heads, P, headDim], P symbolic in
 *   [1, contextLength];
 * - decode: one token ([batch, 1] ids and positions) and `past_key_values.*`
 *   [batch, heads, T, headDim] → `logits` [batch, 1, vocab] and `present.*`
 *   [batch, heads, T + 1, headDim], T symbolic in [1, contextLength − 1].
 */
export interface DecoderPlans {
  readonly signature: DecoderSignature;
  readonly prefill: Plan;
  readonly decode: Plan;
}
