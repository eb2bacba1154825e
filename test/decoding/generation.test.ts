import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDecoder } from '../../compiler/decoding/compile_decoder.js';
import { Gpt } from '../../compiler/dsl/index.js';
import type { SamplingOptions } from '../../runtime/index.js';
import { DecoderSession, generate, getDefaultDevice } from '../../runtime/index.js';

/**
 * Sampled generation on the GPU is deterministic per seed: the same seed gives the same tokens
 * (whichever session, wherever its cache lives), another seed other tokens; top-k 1 and
 * temperature 0 are greedy; a batch of two rows generates each row as it would alone.
 */

const CONFIG = { vocabSize: 24, contextLength: 96, layers: 2, heads: 2, dim: 32, embeddingStd: 1 };
const PROMPT = Int32Array.from([5, 17, 2, 9, 23, 0, 11]);
const COUNT = 40;

let model: Gpt;
let device: DecoderSession;
let host: DecoderSession;

beforeAll(async () => {
  model = new Gpt(CONFIG);
  model.namedParameters();
  model.initialize(21);
  const gpu = await getDefaultDevice();
  const plans = compileDecoder(model, { limits: gpu.limits });
  device = await DecoderSession.load(plans, gpu, { cache: 'device' });
  host = await DecoderSession.load(plans, gpu, { cache: 'host' });
}, 10 * 60_000);

afterAll(() => {
  device?.dispose();
  host?.dispose();
});

const tokens = async (session: DecoderSession, sampling: SamplingOptions, prompt = PROMPT) => Array.from((await generate(session, prompt, { maxNewTokens: COUNT, sampling })).tokens);

describe('sampled generation', () => {
  it('is deterministic per seed, and seeds differ', async () => {
    const sampled = (seed: number): SamplingOptions => ({ strategy: 'sample', temperature: 1.2, topK: 12, seed });
    const first = await tokens(device, sampled(5));
    expect(await tokens(device, sampled(5))).toEqual(first);
    expect(await tokens(host, sampled(5))).toEqual(first);
    expect(await tokens(device, sampled(6))).not.toEqual(first);
    // A draw at temperature 1.2 among 12 tokens is not the greedy path.
    expect(first).not.toEqual(await tokens(device, { strategy: 'greedy' }));
  }, 10 * 60_000);

  it('top-k 1 and temperature 0 are greedy', async () => {
    const greedy = await tokens(device, { strategy: 'greedy' });
    expect(await tokens(device, { strategy: 'sample', topK: 1, seed: 9 })).toEqual(greedy);
    expect(await tokens(host, { strategy: 'sample', temperature: 0, seed: 9 })).toEqual(greedy);
  }, 10 * 60_000);

  it('tells each token as it is chosen', async () => {
    const seen: [number, number][] = [];
    const result = await generate(device, PROMPT, { maxNewTokens: 5, onToken: (token, index) => seen.push([index, token]) });
    expect(seen).toEqual(Array.from(result.tokens, (t, i) => [i, t]));
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  });
});

describe('a batch of two rows', () => {
  it('generates each row as it would alone (greedy and sampled)', async () => {
    const gpu = await getDefaultDevice();
    const batched = await DecoderSession.load(compileDecoder(model, { limits: gpu.limits, batch: 2 }), gpu);
    try {
      const other = Int32Array.from([3, 3, 8, 1, 20, 14, 6]);
      for (const sampling of [{ strategy: 'greedy' }, { strategy: 'sample', temperature: 1, seed: 4 }] as SamplingOptions[]) {
        const both = await generate(batched, Int32Array.from([...PROMPT, ...other]), { maxNewTokens: COUNT, sampling });
        const rows = [Array.from(both.tokens.subarray(0, COUNT)), Array.from(both.tokens.subarray(COUNT))];
        if (sampling.strategy === 'greedy') {
          expect(rows[0]).toEqual(await tokens(device, sampling, PROMPT));
          expect(rows[1]).toEqual(await tokens(device, sampling, other));
        } else {
          // Draw i of row r is draw i·batch + r of the stream: rows draw from different numbers.
          expect(rows[0]).not.toEqual(rows[1]);
        }
      }
    } finally {
      batched.dispose();
    }
  }, 10 * 60_000);
});
