import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDecoder } from '../../compiler/decoding/compile_decoder.js';
import { buildPrefillGraph } from '../../compiler/decoding/graphs.js';
import { Gpt } from '../../compiler/dsl/index.js';
import { specialize } from '../../compiler/passes/specialize.js';
import { presentName } from '../../ir/decoder.js';
import type { DecoderPlans } from '../../ir/decoder.js';
import type { HostTensor } from '../../ir/index.js';
import type { DawnDevice, Generation } from '../../runtime/index.js';
import { DecoderSession, generate, getDefaultDevice } from '../../runtime/index.js';
import { shaderModuleCount } from '../../runtime/pipelines.js';
import { interpret } from '../../targets/reference/interpreter.js';

/**
 * The KV cache is exact: over 64 generated tokens, every decode step's logits (GPU, the cache
 * carried from step to step) equal a full recompute of the prefix from scratch within 1e-5,
 * both the prefill plan's on the GPU and the prefill graph's on the float64 reference
 * interpreter, and the cache after the last step equals the recompute's. One prefill plan and
 * one decode plan, each compiled once, serve every length: no shader module is created after
 * they are loaded. The cache kept on the device and the cache round-tripped through the host
 * give the same bits.
 */

const CONFIG = { vocabSize: 24, contextLength: 96, layers: 2, heads: 2, dim: 32, embeddingStd: 1 };
const PROMPT = [5, 17, 2, 9, 23, 0, 11];
const NEW_TOKENS = 64;

/** lavapipe compiles each kernel with LLVM at its first dispatch: minutes on a loaded machine the first time. */
const GENERATION_TIMEOUT_MS = 15 * 60_000;

let device: DawnDevice;
let model: Gpt;
let plans: DecoderPlans;
const runs: Partial<Record<'device' | 'host', Generation>> = {};

beforeAll(async () => {
  device = await getDefaultDevice();
  model = new Gpt(CONFIG);
  model.namedParameters();
  model.initialize(21);
  plans = compileDecoder(model, { limits: device.limits });
}, GENERATION_TIMEOUT_MS);

/** The prefill graph run from scratch on `tokens` (float64 reference). */
function recompute(tokens: readonly number[]): Record<string, HostTensor> {
  const n = tokens.length;
  const graph = specialize(buildPrefillGraph(model), new Map([['batch', 1], ['P', n]]));
  const inputs = { input_ids: { dtype: 'i32', shape: [1, n], data: Int32Array.from(tokens) }, position_ids: { dtype: 'i32', shape: [1, n], data: Int32Array.from({ length: n }, (_, i) => i) } } as const;
  return interpret(graph, inputs, { f64: true }).outputs;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(Number(a[i]) - Number(b[i])));
  return worst;
}

describe('decoding with a KV cache', () => {
  afterAll(() => undefined);

  for (const cache of ['device', 'host'] as const) {
    it(`over ${NEW_TOKENS} greedy tokens (cache on the ${cache}) each step's logits equal a recompute of the prefix within 1e-5`, async () => {
      expect(plans.prefill.symbolic && plans.decode.symbolic).toBeTruthy();
      const session = await DecoderSession.load(plans, device, { cache });
      const recomputing = await DecoderSession.load(plans, device, { cache });
      const modules = shaderModuleCount();
      try {
        const result = await generate(session, Int32Array.from(PROMPT), { maxNewTokens: NEW_TOKENS, keepLogits: true });
        runs[cache] = result;
        expect(session.length).toBe(PROMPT.length + NEW_TOKENS - 1);
        // A model that said the same token throughout would make this a weak test.
        expect(new Set(result.tokens).size).toBeGreaterThan(4);
        const tokens = [...PROMPT];
        let worst = 0;
        for (let step = 0; step < NEW_TOKENS; step++) {
          const reference = recompute(tokens);
          const difference = maxDifference(result.logits![step], reference.logits.data);
          expect(difference, `step ${step} (prefix of ${tokens.length}) vs the reference`).toBeLessThanOrEqual(1e-5);
          const onGpu = maxDifference(result.logits![step], await recomputing.prefill(Int32Array.from(tokens)));
          expect(onGpu, `step ${step} (prefix of ${tokens.length}) vs the prefill plan`).toBeLessThanOrEqual(1e-5);
          worst = Math.max(worst, difference, onGpu);
          tokens.push(result.tokens[step]);
        }
        // The cache after the last step: the recompute's present.* for every position but the last token's.
        const final = recompute(tokens.slice(0, -1));
        const held = await session.readCache();
        expect(held.length).toBe(tokens.length - 1);
        for (let layer = 0; layer < CONFIG.layers; layer++) {
          for (const kind of ['key', 'value'] as const) {
            expect(held.layers[layer][kind].shape).toEqual([1, CONFIG.heads, tokens.length - 1, CONFIG.dim / CONFIG.heads]);
            expect(maxDifference(held.layers[layer][kind].data, final[presentName(layer, kind)].data)).toBeLessThanOrEqual(1e-5);
          }
        }
        expect(shaderModuleCount(), 'shader modules created while generating').toBe(modules);
        console.log(`cache on the ${cache}: worst logit difference ${worst.toExponential(2)}; ${result.tokensPerSecond.toFixed(1)} tokens/s`);
      } finally {
        session.dispose();
        recomputing.dispose();
      }
    }, GENERATION_TIMEOUT_MS);
  }

  it('the cache on the device and through the host give the same bits', () => {
    const { device: onDevice, host } = runs;
    expect(onDevice && host).toBeTruthy();
    expect(Array.from(onDevice!.tokens)).toEqual(Array.from(host!.tokens));
    onDevice!.logits!.forEach((l, i) => expect(Array.from(l), `step ${i}`).toEqual(Array.from(host!.logits![i])));
  });
});
