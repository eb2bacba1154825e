/**
 * Text generation with a KV cache: a small character-level GPT learns TypeScript's third-party
 * notice file (~38 KB of license prose in node_modules/typescript, there after every `npm ci`),
 * then writes: greedily, and sampled (temperature, top-k, seeded), printing tokens per second.
 *
 *   npm run example:generate
 *   npm run example:generate -- --epochs 2 --tokens 80 --prompt "THE SOFTWARE IS" --temperature 0.7 --top-k 8 --seed 3
 *
 * The settings below were chosen on the validation split (the last 10% of the text), by
 * examples/gpt/sweep.ts; see docs/decoding.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDecoder, DECODER_ONNX_FILES, DecoderSession, exportDecoderOnnx, generate, getDefaultDevice } from '../index.js';
import type { CacheResidency, SamplingOptions } from '../index.js';
import { trainCharModel } from './gpt/train.js';

export const SETTINGS = { dim: 64, layers: 2, heads: 4, sequence: 64, contextLength: 256, batch: 16, epochs: 8, lr: 3e-3, seed: 0 };

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const epochs = Number(argument('epochs', String(SETTINGS.epochs)));
  const seed = Number(argument('seed', String(SETTINGS.seed)));
  const tokens = Number(argument('tokens', '120'));
  const prompt = argument('prompt', 'Permission is hereby granted');
  const temperature = Number(argument('temperature', '0.8'));
  const topK = Number(argument('top-k', '10'));
  const cache = argument('cache', 'device') as CacheResidency;
  const exportDir = argument('export', '');
  const device = await getDefaultDevice();
  console.log(`device: ${device.adapterDescription}`);

  const trained = await trainCharModel({ ...SETTINGS, epochs, seed, progress: 'none', onEpochEnd: (r) => console.log(`epoch ${r.epoch}/${epochs}  train loss ${r.loss.toFixed(3)}  val loss ${r.valLoss?.toFixed(3)}  ${r.seconds.toFixed(1)} s`) }, device);
  const { model, vocab } = trained;
  console.log(`corpus: ${trained.corpusPath} (${trained.corpusChars} characters, ${vocab.size} distinct)`);
  console.log(`val loss ${trained.initialValLoss.toFixed(3)} before training, ${trained.history.at(-1)?.valLoss?.toFixed(3)} after ${trained.trainSeconds.toFixed(0)} s`);

  const plans = compileDecoder(model, { limits: device.limits });
  const session = await DecoderSession.load(plans, device, { cache });
  const ids = vocab.encode(prompt);
  const runs: [string, SamplingOptions][] = [
    ['greedy', { strategy: 'greedy' }],
    [`sampled (temperature ${temperature}, top-k ${topK}, seed ${seed})`, { strategy: 'sample', temperature, topK, seed }],
  ];
  for (const [label, sampling] of runs) {
    const result = await generate(session, ids, { maxNewTokens: tokens, sampling });
    console.log(`\n${label}: ${tokens} tokens, ${result.tokensPerSecond.toFixed(1)} tokens/s (prefill ${result.prefillMs.toFixed(0)} ms, cache on the ${cache})`);
    console.log(`${prompt}${vocab.decode(result.tokens)}`);
  }
  session.dispose();
  if (exportDir) {
    const files = exportDecoderOnnx(model);
    writeFileSync(join(exportDir, DECODER_ONNX_FILES.prefill), files.prefill);
    writeFileSync(join(exportDir, DECODER_ONNX_FILES.decode), files.decode);
    console.log(`\nONNX: ${join(exportDir, DECODER_ONNX_FILES.prefill)}, ${join(exportDir, DECODER_ONNX_FILES.decode)}`);
  }
}

await main();
