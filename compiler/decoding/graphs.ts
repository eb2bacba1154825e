import type { Dim, Graph } from '../../ir/index.js';
import { CACHE_KINDS, DECODER_DIMS, INPUT_IDS, LOGITS, pastName, POSITION_IDS, presentName } from '../../ir/decoder.js';
import type { KeyValue } from '../dsl/attention.js';
import type { Gpt } from '../dsl/models/gpt.js';
import { Trace } from '../dsl/trace.js';

/**
 * The decoder's inference graphs, traced from the same model as its training graph (so the
 * parameters are the same states, by name). Sizes are symbolic: the batch, the prompt length P
 * of the prefill and the cache length T of a decode step.
 */

export interface DecoderGraphOptions {
  /** The batch: a size, or a symbolic dim (default 'batch'). */
  readonly batch?: Dim;
}

function prepared(model: Gpt): Gpt {
  model.namedParameters();
  for (const p of model.parameters()) if (!p.initialized) p.initialize(0);
  return model;
}

/** Prefill: `input_ids`, `position_ids` [batch, P] → `logits` [batch, 1, vocab], `present.*` [batch, heads, P, headDim]. */
export function buildPrefillGraph(model: Gpt, options: DecoderGraphOptions = {}): Graph {
  const batch = options.batch ?? DECODER_DIMS.batch;
  const t = new Trace('prefill', { mode: 'eval' });
  const ids = t.input(INPUT_IDS, 'i32', [batch, DECODER_DIMS.promptLength]);
  const positions = t.input(POSITION_IDS, 'i32', [batch, DECODER_DIMS.promptLength]);
  const { logits, present } = prepared(model).step(ids, positions);
  t.output(logits, LOGITS);
  outputCache(t, present);
  return t.graph;
}

/**
 * Decode: one token (`input_ids`, `position_ids` [batch, 1]) after `past_key_values.*`
 * [batch, heads, T, headDim] → `logits` [batch, 1, vocab], `present.*` [batch, heads, T + 1, headDim].
 */
export function buildDecodeGraph(model: Gpt, options: DecoderGraphOptions = {}): Graph {
  const batch = options.batch ?? DECODER_DIMS.batch;
  const t = new Trace('decode', { mode: 'eval' });
  const ids = t.input(INPUT_IDS, 'i32', [batch, 1]);
  const positions = t.input(POSITION_IDS, 'i32', [batch, 1]);
  const { heads } = prepared(model).config;
  const cacheShape = [batch, heads, DECODER_DIMS.pastLength, model.headDim];
  const past: KeyValue[] = model.blocks.map((_, layer) => {
    const [key, value] = CACHE_KINDS.map((kind) => t.input(pastName(layer, kind), 'f32', cacheShape));
    return { key, value };
  });
  const { logits, present } = model.step(ids, positions, past);
  t.output(logits, LOGITS);
  outputCache(t, present);
  return t.graph;
}

function outputCache(t: Trace, present: readonly KeyValue[]): void {
  present.forEach((kv, layer) => {
    t.output(kv.key, presentName(layer, 'key'));
    t.output(kv.value, presentName(layer, 'value'));
  });
}
