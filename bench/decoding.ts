/**
 * Tokens per second of greedy decoding with a KV cache, `npm run bench:decoding`, for two GPTs
 * with random weights (speed does not depend on them):
 * - small: examples/generate.ts's model, 128 tokens after a 16-token prompt;
 * - large: 4 layers × 8 heads, dim 256, 64 tokens after a 768-token prompt (a cache of ~6 MB,
 *   read and written whole by every step that takes it through the host);
 * each run by
 * - dawnflow with the cache on the device (copied on the GPU into and out of each step),
 * - dawnflow with the cache through the host (present.* read back, past_key_values.* written),
 * - onnxruntime-node's CPU provider on the exported decoder, its cache through JS as
 *   transformers.js does.
 * Every path generates once to load and warm up; then the two dawnflow paths take turns, `--runs`
 * times each (default 3), so that the machine's load falls on both alike; medians are reported.
 */
import * as ort from 'onnxruntime-node';
import { compileDecoder, DecoderSession, exportDecoderOnnx, generate, getDefaultDevice, Gpt } from '../index.js';
import type { GptConfig } from '../index.js';
import { CACHE_KINDS, pastName, presentName } from '../ir/decoder.js';
import { upperMedian } from './measure.js';
import { optionValue } from './options.js';

interface Case {
  readonly name: string;
  readonly model: GptConfig;
  readonly prompt: number;
  readonly tokens: number;
}

const CASES: readonly Case[] = [
  { name: 'small', model: { vocabSize: 84, contextLength: 256, layers: 2, heads: 4, dim: 64 }, prompt: 16, tokens: 128 },
  { name: 'large', model: { vocabSize: 84, contextLength: 1024, layers: 4, heads: 8, dim: 256 }, prompt: 768, tokens: 64 },
];

interface Row {
  readonly peer: string;
  readonly tokensPerSecond: number;
  readonly prefillMs: number;
  readonly tokens: Int32Array;
}

async function dawnflow(model: Gpt, prompt: Int32Array, tokens: number, runs: number): Promise<Row[]> {
  const device = await getDefaultDevice();
  const plans = compileDecoder(model, { limits: device.limits });
  const sessions = [await DecoderSession.load(plans, device, { cache: 'device' }), await DecoderSession.load(plans, device, { cache: 'host' })];
  try {
    const warm: { tokens: Int32Array }[] = [];
    for (const s of sessions) warm.push(await generate(s, prompt, { maxNewTokens: tokens }));
    const timed = sessions.map(() => [] as { tokensPerSecond: number; prefillMs: number }[]);
    for (let r = 0; r < runs; r++) for (const [i, s] of sessions.entries()) timed[i].push(await generate(s, prompt, { maxNewTokens: tokens }));
    return sessions.map((s, i) => ({
      peer: `dawnflow, cache on the ${s.residency}`,
      tokensPerSecond: upperMedian(timed[i].map((t) => t.tokensPerSecond)),
      prefillMs: upperMedian(timed[i].map((t) => t.prefillMs)),
      tokens: warm[i].tokens,
    }));
  } finally {
    for (const s of sessions) s.dispose();
  }
}

async function onnxruntime(model: Gpt, prompt: Int32Array, count: number, runs: number): Promise<Row> {
  const { prefill, decode } = exportDecoderOnnx(model);
  const first = await ort.InferenceSession.create(prefill, { executionProviders: ['cpu'] });
  const withPast = await ort.InferenceSession.create(decode, { executionProviders: ['cpu'] });
  const ids = (values: ArrayLike<number>) => new ort.Tensor('int32', Int32Array.from(values), [1, values.length]);
  const once = async () => {
    const started = performance.now();
    let out = await first.run({ input_ids: ids(prompt), position_ids: ids(Array.from(prompt, (_, i) => i)) });
    const prefilled = performance.now();
    const tokens = new Int32Array(count);
    for (let step = 0; step < count; step++) {
      const logits = out.logits.data as Float32Array;
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      tokens[step] = best;
      if (step === count - 1) break;
      const feeds: Record<string, ort.Tensor> = { input_ids: ids([best]), position_ids: ids([prompt.length + step]) };
      for (let layer = 0; layer < model.config.layers; layer++) for (const kind of CACHE_KINDS) feeds[pastName(layer, kind)] = out[presentName(layer, kind)];
      out = await withPast.run(feeds);
    }
    return { tokens, prefillMs: prefilled - started, tokensPerSecond: ((count - 1) * 1000) / (performance.now() - prefilled) };
  };
  try {
    const warm = await once();
    const timed = [];
    for (let r = 0; r < runs; r++) timed.push(await once());
    return { peer: 'onnxruntime-node cpu, cache through JS', tokensPerSecond: upperMedian(timed.map((t) => t.tokensPerSecond)), prefillMs: upperMedian(timed.map((t) => t.prefillMs)), tokens: warm.tokens };
  } finally {
    await Promise.all([first.release(), withPast.release()]);
  }
}

async function main(): Promise<void> {
  const runs = Number(optionValue('runs', '3'));
  const only = optionValue('only', '');
  for (const c of CASES.filter((x) => !only || only.split(',').includes(x.name))) {
    const model = new Gpt(c.model);
    model.namedParameters();
    model.initialize(1);
    const prompt = Int32Array.from({ length: c.prompt }, (_, i) => (i * 7) % c.model.vocabSize);
    const rows = [...(await dawnflow(model, prompt, c.tokens, runs)), await onnxruntime(model, prompt, c.tokens, runs)];
    const m = c.model;
    const cacheMb = (2 * m.layers * (c.prompt + c.tokens) * m.dim * 4) / 2 ** 20;
    console.log(`\n${c.name}: GPT ${m.layers} layers × ${m.heads} heads, dim ${m.dim}, vocabulary ${m.vocabSize}; ${c.tokens} greedy tokens after ${c.prompt} (cache up to ${cacheMb.toFixed(2)} MB); median of ${runs}`);
    for (const r of rows) {
      const same = r.tokens.every((t, i) => t === rows[0].tokens[i]);
      console.log(`  ${r.peer.padEnd(40)} ${r.tokensPerSecond.toFixed(1).padStart(7)} tokens/s   prefill ${r.prefillMs.toFixed(1).padStart(7)} ms   ${same ? 'same tokens' : 'OTHER TOKENS'}`);
    }
  }
}

await main();
