/**
 * Tokens per second of greedy decoding with a KV cache, `npm run bench:decoding`: the example's
 * GPT (examples/generate.ts's sizes, random weights: speed does not depend on them) generating
 * 128 tokens after a 16-token prompt,
 * - dawnflow with the cache on the device (copied on the GPU into and out of each step),
 * - dawnflow with the cache through the host (present.* read back, past_key_values.* written),
 * - onnxruntime-node's CPU provider running the exported decoder, its cache through JS as
 *   transformers.js does.
 * Each is run once to load and warm up (every plan loaded, every kernel compiled), then timed
 * `--runs` times (default 3); the median decode rate is reported, and the prefill time.
 */
import * as ort from 'onnxruntime-node';
import { compileDecoder, DecoderSession, exportDecoderOnnx, generate, getDefaultDevice, Gpt } from '../index.js';
import type { CacheResidency } from '../index.js';
import { CACHE_KINDS, pastName, presentName } from '../ir/decoder.js';

const SIZES = { vocabSize: 84, contextLength: 256, layers: 2, heads: 4, dim: 64 };
const PROMPT = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % SIZES.vocabSize);
const NEW_TOKENS = 128;

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Row {
  readonly peer: string;
  readonly tokensPerSecond: number;
  readonly prefillMs: number;
  readonly tokens: Int32Array;
}

async function dawnflow(model: Gpt, cache: CacheResidency, runs: number): Promise<Row> {
  const device = await getDefaultDevice();
  const session = await DecoderSession.load(compileDecoder(model, { limits: device.limits }), device, { cache });
  try {
    const warm = await generate(session, PROMPT, { maxNewTokens: NEW_TOKENS });
    const timed = [];
    for (let r = 0; r < runs; r++) timed.push(await generate(session, PROMPT, { maxNewTokens: NEW_TOKENS }));
    return { peer: `dawnflow, cache on the ${cache}`, tokensPerSecond: median(timed.map((t) => t.tokensPerSecond)), prefillMs: median(timed.map((t) => t.prefillMs)), tokens: warm.tokens };
  } finally {
    session.dispose();
  }
}

async function onnxruntime(model: Gpt, runs: number): Promise<Row> {
  const { prefill, decode } = exportDecoderOnnx(model);
  const first = await ort.InferenceSession.create(prefill, { executionProviders: ['cpu'] });
  const withPast = await ort.InferenceSession.create(decode, { executionProviders: ['cpu'] });
  const ids = (values: ArrayLike<number>) => new ort.Tensor('int32', Int32Array.from(values), [1, values.length]);
  const once = async () => {
    const started = performance.now();
    let out = await first.run({ input_ids: ids(PROMPT), position_ids: ids(PROMPT.map((_, i) => i)) });
    const prefilled = performance.now();
    const tokens = new Int32Array(NEW_TOKENS);
    for (let step = 0; step < NEW_TOKENS; step++) {
      const logits = out.logits.data as Float32Array;
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      tokens[step] = best;
      if (step === NEW_TOKENS - 1) break;
      const feeds: Record<string, ort.Tensor> = { input_ids: ids([best]), position_ids: ids([PROMPT.length + step]) };
      for (let layer = 0; layer < SIZES.layers; layer++) for (const kind of CACHE_KINDS) feeds[pastName(layer, kind)] = out[presentName(layer, kind)];
      out = await withPast.run(feeds);
    }
    return { tokens, prefillMs: prefilled - started, tokensPerSecond: ((NEW_TOKENS - 1) * 1000) / (performance.now() - prefilled) };
  };
  try {
    const warm = await once();
    const timed = [];
    for (let r = 0; r < runs; r++) timed.push(await once());
    return { peer: 'onnxruntime-node cpu, cache through JS', tokensPerSecond: median(timed.map((t) => t.tokensPerSecond)), prefillMs: median(timed.map((t) => t.prefillMs)), tokens: warm.tokens };
  } finally {
    await Promise.all([first.release(), withPast.release()]);
  }
}

async function main(): Promise<void> {
  const runs = Number(argument('runs', '3'));
  const model = new Gpt(SIZES);
  model.namedParameters();
  model.initialize(1);
  const rows = [await dawnflow(model, 'device', runs), await dawnflow(model, 'host', runs), await onnxruntime(model, runs)];
  console.log(`greedy decoding, ${NEW_TOKENS} tokens after ${PROMPT.length}: GPT ${SIZES.layers} layers × ${SIZES.heads} heads, dim ${SIZES.dim}, vocabulary ${SIZES.vocabSize}; median of ${runs}`);
  for (const r of rows) {
    const same = r.tokens.every((t, i) => t === rows[0].tokens[i]);
    console.log(`${r.peer.padEnd(40)} ${r.tokensPerSecond.toFixed(1).padStart(7)} tokens/s   prefill ${r.prefillMs.toFixed(1).padStart(6)} ms   ${same ? 'same tokens' : 'OTHER TOKENS'}`);
  }
}

await main();
