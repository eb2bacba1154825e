/**
 * How examples/generate.ts's settings were chosen: candidates compared by their loss on the
 * validation text (the corpus's last 10%, never trained on), first at an equal number of epochs
 * (learning rate, width), then at a roughly equal time (a narrower model for more epochs against
 * a wider one for fewer). Prints one line per candidate and the best.
 *
 *   npx tsx examples/gpt/sweep.ts [--only 0,5]
 */
import { getDefaultDevice } from '../../index.js';
import { trainCharModel } from './train.js';

const BASE = { layers: 2, heads: 4, sequence: 64, contextLength: 256, batch: 16, seed: 0 };
const CANDIDATES = [
  { dim: 64, lr: 1e-3, epochs: 4 },
  { dim: 64, lr: 3e-3, epochs: 4 },
  { dim: 64, lr: 1e-2, epochs: 4 },
  { dim: 96, lr: 3e-3, epochs: 4 },
  { dim: 48, lr: 3e-3, epochs: 4 },
  { dim: 64, lr: 3e-3, epochs: 8 },
  { dim: 48, lr: 3e-3, epochs: 8 },
];

async function main(): Promise<void> {
  const i = process.argv.indexOf('--only');
  const only = i >= 0 ? process.argv[i + 1].split(',').map(Number) : CANDIDATES.map((_, j) => j);
  const device = await getDefaultDevice();
  const results: { dim: number; lr: number; epochs: number; valLoss: number; seconds: number }[] = [];
  for (const j of only) {
    const c = CANDIDATES[j];
    const r = await trainCharModel({ ...BASE, ...c }, device);
    const valLoss = r.history.at(-1)?.valLoss ?? NaN;
    results.push({ ...c, valLoss, seconds: r.trainSeconds });
    console.log(`[${j}] dim ${c.dim}  lr ${c.lr}  epochs ${c.epochs}  val loss ${valLoss.toFixed(4)}  (train loss ${r.history.at(-1)?.loss.toFixed(4)}, ${r.trainSeconds.toFixed(0)} s)`);
  }
  const best = results.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  console.log(`best on validation: dim ${best.dim}, lr ${best.lr}, ${best.epochs} epochs (val loss ${best.valLoss.toFixed(4)}, ${best.seconds.toFixed(0)} s)`);
}

await main();
