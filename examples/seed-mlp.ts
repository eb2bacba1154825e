/**
 * The classic two-layer network, done right: a 10-20-5 MLP learns to classify synthetic data
 * with softmax cross-entropy, by full-batch gradient descent (the update subtracts the
 * gradient), printing the loss every 100 epochs. Parameters, gradients and the update all stay
 * on the GPU; only the loss is read back, and only when printed.
 *
 *   npm run example:seed
 */
import { compileTraining, crossEntropy, getDefaultDevice, nn, optim, Trainer } from '../index.js';

const FEATURES = 10;
const HIDDEN = 20;
const CLASSES = 5;
const EXAMPLES = 200;
const EPOCHS = 1000;

/** Seeded uniform numbers (mulberry32): the same data on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inputs in [-1, 1); each label is the argmax of a fixed random linear "teacher". */
function syntheticData(seed: number): { x: Float32Array; y: Int32Array } {
  const next = random(seed);
  const teacher = Array.from({ length: FEATURES * CLASSES }, () => next() * 2 - 1);
  const x = new Float32Array(EXAMPLES * FEATURES).map(() => next() * 2 - 1);
  const y = new Int32Array(EXAMPLES);
  for (let e = 0; e < EXAMPLES; e++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let score = 0;
      for (let f = 0; f < FEATURES; f++) score += x[e * FEATURES + f] * teacher[f * CLASSES + c];
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    y[e] = best;
  }
  return { x, y };
}

async function main(): Promise<void> {
  const { x, y } = syntheticData(42);
  const model = new nn.Sequential(new nn.Linear(FEATURES, HIDDEN), nn.Tanh(), new nn.Linear(HIDDEN, CLASSES));
  const device = await getDefaultDevice();
  const program = compileTraining({
    model,
    input: { shape: [FEATURES] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.sgd({ lr: 0.5 }),
    batchSize: EXAMPLES,
    accuracy: true,
    seed: 1,
    limits: device.limits,
  });
  const trainer = await Trainer.load(program, device);
  console.log(`device: ${device.adapterDescription}`);
  const started = performance.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const step = trainer.step(x, y);
    if (epoch === 1 || epoch % 100 === 0) {
      const [loss, correct] = await Promise.all([step.loss(), step.correct()]);
      console.log(`epoch ${String(epoch).padStart(4)}  loss ${loss.toFixed(4)}  accuracy ${((100 * correct) / EXAMPLES).toFixed(1)}%`);
    }
  }
  console.log(`${EPOCHS} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  trainer.dispose();
}

await main();
