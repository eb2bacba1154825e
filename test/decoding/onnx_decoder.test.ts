import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDecoder } from '../../compiler/decoding/compile_decoder.js';
import { exportDecoderOnnx } from '../../compiler/decoding/export_onnx.js';
import { Gpt } from '../../compiler/dsl/index.js';
import { CACHE_KINDS, pastName, presentName } from '../../ir/decoder.js';
import type { Generation } from '../../runtime/index.js';
import { argMax, DecoderSession, generate, getDefaultDevice } from '../../runtime/index.js';

/**
 * The decoder exported to ONNX the way optimum exports one for transformers.js (a prefill model
 * and a model with past_key_values.* in and present.* out, batch and lengths as dim_params) runs
 * in onnxruntime-node and, fed its own cache step after step, says the same 64 greedy tokens as
 * dawnflow's decode plan on the GPU, with logits within 1e-4.
 */

const CONFIG = { vocabSize: 24, contextLength: 96, layers: 2, heads: 2, dim: 32, embeddingStd: 1 };
const PROMPT = [5, 17, 2, 9, 23, 0, 11];
const NEW_TOKENS = 64;

let model: Gpt;
let ours: Generation;

beforeAll(async () => {
  model = new Gpt(CONFIG);
  model.namedParameters();
  model.initialize(33);
  const device = await getDefaultDevice();
  const session = await DecoderSession.load(compileDecoder(model, { limits: device.limits }), device);
  try {
    ours = await generate(session, Int32Array.from(PROMPT), { maxNewTokens: NEW_TOKENS, keepLogits: true });
  } finally {
    session.dispose();
  }
});

const int32 = (values: readonly number[]) => new ort.Tensor('int32', Int32Array.from(values), [1, values.length]);

describe('the decoder exported to ONNX', () => {
  it('declares the transformers.js names and symbolic dims', async () => {
    const { prefill, decode } = exportDecoderOnnx(model);
    const withPast = await ort.InferenceSession.create(decode);
    const cacheNames = (name: (l: number, k: 'key' | 'value') => string) => [0, 1].flatMap((l) => CACHE_KINDS.map((k) => name(l, k)));
    expect(withPast.inputNames).toEqual(['input_ids', 'position_ids', ...cacheNames(pastName)]);
    expect(withPast.outputNames).toEqual(['logits', ...cacheNames(presentName)]);
    const first = await ort.InferenceSession.create(prefill);
    expect(first.inputNames).toEqual(['input_ids', 'position_ids']);
    const past = withPast.inputMetadata.find((m) => m.name === pastName(0, 'key'));
    expect(past && past.isTensor ? past.shape : []).toEqual(['batch', CONFIG.heads, 'T', CONFIG.dim / CONFIG.heads]);
    await Promise.all([withPast.release(), first.release()]);
  });

  it(`onnxruntime-node, fed its own present.* as past_key_values.*, says the same ${NEW_TOKENS} greedy tokens`, async () => {
    const { prefill, decode } = exportDecoderOnnx(model);
    const first = await ort.InferenceSession.create(prefill);
    const withPast = await ort.InferenceSession.create(decode);
    try {
      let out = await first.run({ input_ids: int32(PROMPT), position_ids: int32(PROMPT.map((_, i) => i)) });
      const tokens: number[] = [];
      let worst = 0;
      for (let step = 0; step < NEW_TOKENS; step++) {
        const logits = out.logits.data as Float32Array;
        expect(out.logits.dims).toEqual([1, 1, CONFIG.vocabSize]);
        for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i] - ours.logits![step][i]));
        tokens.push(argMax(logits));
        if (step === NEW_TOKENS - 1) break;
        const feeds: Record<string, ort.Tensor> = { input_ids: int32([tokens[step]]), position_ids: int32([PROMPT.length + step]) };
        for (let layer = 0; layer < CONFIG.layers; layer++) for (const kind of CACHE_KINDS) feeds[pastName(layer, kind)] = out[presentName(layer, kind)];
        out = await withPast.run(feeds);
        expect(out[presentName(1, 'value')].dims).toEqual([1, CONFIG.heads, PROMPT.length + step + 1, CONFIG.dim / CONFIG.heads]);
      }
      expect(tokens).toEqual(Array.from(ours.tokens));
      expect(new Set(tokens).size).toBeGreaterThan(4);
      expect(worst).toBeLessThanOrEqual(1e-4);
    } finally {
      await Promise.all([first.release(), withPast.release()]);
    }
  });
});
