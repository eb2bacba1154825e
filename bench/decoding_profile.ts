/**
 * Where a decode step's device time goes: `npx tsx bench/decoding_profile.ts [--T 800] [--runs 5] [--wgsl] [--steps]`.
 * The large GPT of bench/decoding.ts, its decode graph compiled symbolic (T a uniform) and
 * specialized to T, each profiled (`Executable.profile`, median device ms per step over runs)
 * at that T; prints the time per kernel kind and the total.
 */
import { buildDecodeGraph, compile, Executable, getDefaultDevice, Gpt } from '../index.js';
import { CACHE_KINDS, DECODER_DIMS, pastName } from '../ir/decoder.js';
import type { HostTensor } from '../ir/index.js';
import { optionValue } from './options.js';

const T = Number(optionValue('T', '800'));
const runs = Number(optionValue('runs', '5'));
const config = { vocabSize: 84, contextLength: 1024, layers: 4, heads: 8, dim: 256 };
const model = new Gpt(config);
model.namedParameters();
model.initialize(1);
const device = await getDefaultDevice();
const headDim = config.dim / config.heads;
const inputs: Record<string, HostTensor> = { input_ids: { dtype: 'i32', shape: [1, 1], data: Int32Array.of(3) }, position_ids: { dtype: 'i32', shape: [1, 1], data: Int32Array.of(T) } };
for (let layer = 0; layer < config.layers; layer++)
  for (const kind of CACHE_KINDS) {
    const data = Float32Array.from({ length: config.heads * T * headDim }, (_, i) => Math.sin(i * 0.37 + layer));
    inputs[pastName(layer, kind)] = { dtype: 'f32', shape: [1, config.heads, T, headDim], data };
  }
const graph = buildDecodeGraph(model);
const variants = {
  symbolic: { [DECODER_DIMS.batch]: 1, [DECODER_DIMS.pastLength]: { min: 1, max: config.contextLength - 1 } },
  specialized: { [DECODER_DIMS.batch]: 1, [DECODER_DIMS.pastLength]: T },
};
for (const [name, dims] of Object.entries(variants)) {
  const plan = compile(graph, { limits: device.limits, dims });
  if (process.argv.includes('--wgsl')) for (const k of plan.kernels) if (k.name.includes('concat')) console.log(`// ${name}: ${k.name}\n${k.wgsl}`);
  const exe = await Executable.load(plan, device);
  try {
    const profile = await exe.profile(inputs, runs);
    const byKernel = new Map<string, { ms: number; count: number }>();
    for (const p of profile) {
      const kind = p.kernel.includes('concat') ? 'concat (cache append)' : p.kernel.includes('matmul') ? `matmul: ${p.kernel}` : p.kernel;
      const entry = byKernel.get(kind) ?? { ms: 0, count: 0 };
      entry.ms += p.ms;
      entry.count++;
      byKernel.set(kind, entry);
    }
    if (process.argv.includes('--steps')) for (const p of profile) console.log(`  step ${String(p.step).padStart(2)} ${p.ms.toFixed(3).padStart(7)} ms  ${p.kernel}  ${p.label}`);
    const total = profile.reduce((s, p) => s + p.ms, 0);
    console.log(`\n${name} (T = ${T}, ${profile.length} steps): ${total.toFixed(2)} ms`);
    for (const [kind, { ms, count }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${ms.toFixed(2).padStart(8)} ms  ${String(count).padStart(3)}×  ${kind}`);
  } finally {
    exe.dispose();
  }
}
