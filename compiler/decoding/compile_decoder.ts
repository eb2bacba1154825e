import type { DecoderPlans, DecoderSignature } from '../../ir/decoder.js';
import { DECODER_DIMS } from '../../ir/decoder.js';
import { UsageError } from '../../ir/index.js';
import type { Graph, Plan } from '../../ir/index.js';
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
 * A Gpt's prefill and decode plans for the runtime's DecoderSession. The parameters' values at
 * this call become the plans' weights (compile after training).
 *
 * Each graph is traced once with its lengths symbolic (P, T). Until the compiler keeps symbolic
 * dims through to the plan, a plan is compiled per length on first use and kept; with them, each
 * graph compiles once and its plan serves every length.
 */
export function compileDecoder(model: Gpt, options: DecoderCompileOptions = {}): DecoderPlans {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`compileDecoder: batch must be a whole number ≥ 1, got ${batch}`);
  const { contextLength, layers, heads, vocabSize } = model.config;
  const signature: DecoderSignature = { batch, layers, heads, headDim: model.headDim, vocabSize, contextLength };
  const limits = options.limits ? { limits: options.limits } : {};
  const bySize = (graph: Graph, dim: string, least: number, most: number) => {
    const plans = new Map<number, Plan>();
    return (size: number): Plan => {
      if (!Number.isInteger(size) || size < least || size > most) throw new UsageError(`${graph.name}: length ${size} must be a whole number in [${least}, ${most}]`);
      let plan = plans.get(size);
      if (!plan) {
        plan = compile(graph, { ...limits, dims: { [DECODER_DIMS.batch]: batch, [dim]: size } });
        plans.set(size, plan);
      }
      return plan;
    };
  };
  return {
    signature,
    prefill: bySize(buildPrefillGraph(model), DECODER_DIMS.promptLength, 1, contextLength),
    decode: bySize(buildDecodeGraph(model), DECODER_DIMS.pastLength, 1, contextLength - 1),
  };
}
