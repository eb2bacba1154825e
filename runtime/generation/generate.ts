import { InputError, UsageError } from '../../ir/errors.js';
import type { DecoderSession } from './decoder_session.js';
import type { SamplingOptions } from './sampling.js';
import { checkSampling, GREEDY, sampleToken } from './sampling.js';

export interface GenerateOptions {
  /** Tokens to generate per row (at least 1). */
  readonly maxNewTokens: number;
  readonly sampling?: SamplingOptions;
  /** Told each new token as it is chosen (row, token, its index among the row's new tokens). */
  readonly onToken?: (token: number, index: number, row: number) => void;
  /** Keep every step's logits ([batch, vocab] per new token) in the result. */
  readonly keepLogits?: boolean;
}

export interface Generation {
  /** The new tokens, [batch, maxNewTokens] row-major. */
  readonly tokens: Int32Array;
  /** Logits that chose each new token (with `keepLogits`): entry i is [batch, vocab] for token i. */
  readonly logits?: readonly Float32Array[];
  /** Milliseconds of the prefill (the prompt in, the first new token's logits out). */
  readonly prefillMs: number;
  /** Milliseconds of the decode steps (every new token after the first). */
  readonly decodeMs: number;
  /** Decode steps per second (per row; each step makes one token in every row). */
  readonly tokensPerSecond: number;
}

/**
 * Generates `maxNewTokens` tokens after `prompt` (batch rows of equal length, row-major): a
 * prefill, then a decode step per token after the first, each token sampled on the host from the
 * step's logits. The session starts empty (it is reset first).
 */
export async function generate(session: DecoderSession, prompt: Int32Array, options: GenerateOptions): Promise<Generation> {
  const { batch, vocabSize, contextLength } = session.signature;
  const sampling = options.sampling ?? GREEDY;
  checkSampling(sampling);
  const count = options.maxNewTokens;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`generate: maxNewTokens must be a whole number ≥ 1, got ${count}`);
  const promptLength = prompt.length / batch;
  if (!Number.isInteger(promptLength) || promptLength < 1) throw new InputError(`generate: ${prompt.length} prompt tokens do not make ${batch} rows of at least one`);
  // The last token chosen is never fed back, so the cache reaches promptLength + count - 1.
  if (promptLength + count - 1 > contextLength) {
    throw new UsageError(`generate: a prompt of ${promptLength} and ${count} new tokens need ${promptLength + count - 1} positions; the context length is ${contextLength}`);
  }
  session.reset();
  const tokens = new Int32Array(batch * count);
  const kept: Float32Array[] = [];
  const choose = (logits: Float32Array, index: number): Int32Array => {
    if (options.keepLogits) kept.push(logits);
    const next = new Int32Array(batch);
    for (let row = 0; row < batch; row++) {
      next[row] = sampleToken(logits.subarray(row * vocabSize, (row + 1) * vocabSize), sampling, index * batch + row);
      tokens[row * count + index] = next[row];
      options.onToken?.(next[row], index, row);
    }
    return next;
  };

  const started = performance.now();
  let next = choose(await session.prefill(prompt), 0);
  const prefilled = performance.now();
  for (let index = 1; index < count; index++) next = choose(await session.decode(next), index);
  const decodeMs = performance.now() - prefilled;
  return {
    tokens,
    ...(options.keepLogits ? { logits: kept } : {}),
    prefillMs: prefilled - started,
    decodeMs,
    tokensPerSecond: count > 1 ? ((count - 1) * 1000) / decodeMs : 0,
  };
}
