import type { Gpt } from '../dsl/models/gpt.js';
import type { ExportOptions } from '../onnx/export.js';
import { toOnnx } from '../onnx/export.js';
import { buildDecodeGraph, buildPrefillGraph } from './graphs.js';

/**
 * A Gpt as the two ONNX models of optimum's classic decoder export (what transformers.js
 * loads): `decoder_model.onnx` (the prefill: input_ids, position_ids → logits, present.*) and
 * `decoder_with_past_model.onnx` (one token after past_key_values.* → logits, present.*). The
 * batch and the lengths are dim_params ('batch', 'P', 'T'); the weights are the parameters'
 * current values unless `states` gives others. Token and position ids are int32 (the IR has no
 * int64), logits those of the last position, [batch, 1, vocab].
 */
export function exportDecoderOnnx(model: Gpt, options: ExportOptions = {}): { prefill: Uint8Array; decode: Uint8Array } {
  return { prefill: toOnnx(buildPrefillGraph(model), options), decode: toOnnx(buildDecodeGraph(model), options) };
}

/** File names of the two models, as optimum writes them. */
export const DECODER_ONNX_FILES = { prefill: 'decoder_model.onnx', decode: 'decoder_with_past_model.onnx' } as const;
