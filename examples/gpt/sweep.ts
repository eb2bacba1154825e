/**
 * How examples/generate.ts's settings were chosen: a few candidates trained with the same budget
 * (epochs) and compared by their loss on the validation text (the corpus's last 10%, never
 * trained on). Prints one line per candidate and the best.
 *
 *   npx tsx examples/gpt/sweep.ts [--epochs 4]
 */
import { getDefaultDevice } from '../../index.js';
import { trainCharModel } from './train.js';

const BASE = { layers: 2, heads: 4, sequence: 64, contextLength: 256, batch: 16, seed: 0 };
const CANDIDATES = [
  { dim: 64, lr: 1e-3 },
  { dim: 64, lr: 3e-3 },
  { dim: 64, lr: 1e-2 },
  { dim: 96, lr: 3e-3 },
  { dim: 48, lr: 3e-3 },
];

async function main(): Promise<void> {
  const i = process.argv.indexOf('--epochs');
  const epochs = i >= 0 ? Number(process.argv[i + 1]) : 4;
  const device = await getDefaultDevice();
  const results: { dim: number; lr: number; valLoss: number; seconds: number }[] = [];
  for (const c of CANDIDATES) {
    const r = await trainCharModel({ ...BASE, ...c, epochs }, device);
    const valLoss = r.history.at(-1)?.valLoss ?? NaN;
    results.push({ ...c, valLoss, seconds: r.trainSeconds });
    console.log(`dim ${c.dim}  lr ${c.lr}  val loss ${valLoss.toFixed(4)}  (train loss ${r.history.at(-1)?.loss.toFixed(4)}, ${r.trainSeconds.toFixed(0)} s)`);
  }
  const best = results.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  console.log(`best on validation: dim ${best.dim}, lr ${best.lr} (val loss ${best.valLoss.toFixed(4)})`);
}

await main();
