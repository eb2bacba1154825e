import type { DecoderPlans, DecoderSignature } from '../../ir/decoder.js';
import { DECODER_DIMS } from '../../ir/decoder.js';
import { UsageError } from '../../ir/index.js';
import type { CompileOptions } from '../compile.js';
import { compile } from '../compile.js';
import type { Gpt } from '../dsl/models/gpt.js';
import { buildDecodeGraph, buildPrefillGraph } from './graphs.js';

export interface DecoderCompileOptions {
  /** Rows generated together (default 1). */
  readonly batch?: number;
  /** The device's limits (`DawnDevice.limits`). */
  readonly limits?: CompileOptions['limits'];
}

/**
 * A Gpt's prefill and decode plans for the runtime's DecoderSession, each compiled once with
 * its length symbolic (the prompt length P, the cache length T), bounded by the context length
 * so that the runtime refuses longer ones with a typed error. The parameters' values at this
 * call become the plans' weights (compile after training).
 */
export function compileDecoder(model: Gpt, options: DecoderCompileOptions = {}): DecoderPlans {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`compileDecoder: batch must be a whole number ≥ 1, got ${batch}`);
  const { contextLength, layers, heads, vocabSize } = model.config;
  if (contextLength < 2) throw new UsageError(`compileDecoder: a context of ${contextLength} leaves no room to decode`);
  const signature: DecoderSignature = { batch, layers, heads, headDim: model.headDim, vocabSize, contextLength };
  const limits = options.limits ? { limits: options.limits } : {};
  return {
    signature,
    prefill: compile(buildPrefillGraph(model), { ...limits, dims: { [DECODER_DIMS.batch]: batch, [DECODER_DIMS.promptLength]: { min: 1, max: contextLength } } }),
    decode: compile(buildDecodeGraph(model), { ...limits, dims: { [DECODER_DIMS.batch]: batch, [DECODER_DIMS.pastLength]: { min: 1, max: contextLength - 1 } } }),
  };
}
