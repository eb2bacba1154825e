/**
 * Fine-tuning an imported ONNX model, end to end on the GPU:
 *
 * 1. train the MNIST CNN (DSL) on the digits 0–4 and export it to ONNX;
 * 2. import that ONNX model, freeze its feature layers (the convolutions), cut it at their
 *    flattened output and attach a new head written in the DSL;
 * 3. train the head on the digits 5–9, keeping the epoch that does best on a validation split
 *    carved from the training digits (the test digits are never looked at while training);
 * 4. export the fine-tuned model to ONNX and evaluate the test digits 5–9 once with dawnflow
 *    and once with onnxruntime-node on the exported file.
 *
 * Progress goes to stderr; stdout gets one line:
 *   finetune: test accuracy X% (dawnflow), Y% (onnxruntime on the exported model)
 *
 *   npm run example:finetune
 */
import * as ort from 'onnxruntime-node';
import type { Dataset, EpochRecord, Module, TrainingProgram } from '../index.js';
import { compileTraining, crossEntropy, decodeModel, exportModel, getDefaultDevice, nn, OnnxModule, optim, schedules, Trainer } from '../index.js';
import type { ArrayDataset } from '../index.js';
import { loadDigits, splitDigits } from './mnist_data.js';
import { mnistCnn, PIXELS } from './mnist_models.js';

const SEED = 0;
const BATCH = 128;
const EVAL_BATCH = 500;
/** The share of each task's training digits set aside to choose the epoch on. */
const VALIDATION = 0.1;
const IMAGE = [1, 28, 28];

const log = (line: string) => process.stderr.write(`${line}\n`);

async function train(model: Module, data: { train: Dataset; validation: Dataset }, epochs: number, lr: number): Promise<{ trainer: Trainer; kept: EpochRecord }> {
  const device = await getDefaultDevice();
  const steps = epochs * Math.floor(data.train.size / BATCH);
  const program: TrainingProgram = compileTraining({
    model,
    input: { shape: IMAGE },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: schedules.cosine(lr, steps, lr / 20) }),
    batchSize: BATCH,
    evalBatchSize: EVAL_BATCH,
    accuracy: true,
    seed: SEED,
    limits: device.limits,
  });
  const trainer = await Trainer.load(program, device);
  const history = await trainer.fit(data.train, { epochs, seed: SEED, validation: data.validation, keepBest: true, stream: process.stderr, progress: 'lines' });
  return { trainer, kept: history.find((r) => r.best)! };
}

/** The value the first MatMul of an exported model reads: the flattened output of its convolutions. */
function featuresOf(onnx: Uint8Array): string {
  const matmul = decodeModel(onnx).graph?.node?.find((n) => n.opType === 'MatMul');
  if (!matmul?.input?.[0]) throw new Error('the exported CNN has no MatMul');
  return matmul.input[0];
}

/** Accuracy of an ONNX model in onnxruntime-node over a dataset, `batch` examples per run (the last padded). */
async function onnxruntimeAccuracy(onnx: Uint8Array, data: ArrayDataset, batch: number): Promise<number> {
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'] });
  let correct = 0;
  const x = new Float32Array(batch * PIXELS);
  for (let start = 0; start < data.size; start += batch) {
    const count = Math.min(batch, data.size - start);
    x.fill(0);
    x.set(data.x.subarray(start * PIXELS, (start + count) * PIXELS) as Float32Array);
    const { output } = await session.run({ input: new ort.Tensor('float32', x, [batch, ...IMAGE]) });
    const logits = output.data as Float32Array;
    const classes = logits.length / batch;
    for (let i = 0; i < count; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      if (row.indexOf(Math.max(...row)) === data.y[start + i]) correct++;
    }
  }
  return correct / data.size;
}

async function main(): Promise<void> {
  const digits = loadDigits(SEED);
  const low = splitDigits(digits, VALIDATION, [0, 1, 2, 3, 4]);
  const high = splitDigits(digits, VALIDATION, [5, 6, 7, 8, 9]);
  log(`digits 0-4: ${low.train.size} to train on, ${low.validation.size} to validate on; digits 5-9: ${high.train.size} / ${high.validation.size}, ${high.test.size} to test`);

  // 1. A CNN for the digits 0-4, exported to ONNX with its trained weights.
  const cnn = mnistCnn(0.25, 5);
  const first = await train(cnn, low, 4, 3e-3);
  log(`digits 0-4: validation accuracy ${(100 * first.kept.valAccuracy!).toFixed(2)}% (epoch ${first.kept.epoch} kept)`);
  const pretrained = exportModel(cnn, { exampleShape: IMAGE, batch: 'batch', values: await first.trainer.snapshot() });
  first.trainer.dispose();

  // 2. Imported, its convolutions frozen, cut at their features, with a new head for 5-9.
  const features = new OnnxModule(pretrained, { trainable: 'none', output: featuresOf(pretrained), source: 'cnn-0-4.onnx' });
  const model = new nn.Sequential(features, new nn.Linear(16 * 7 * 7, 128), nn.ReLU(), new nn.Linear(128, 5));
  log(`imported ${pretrained.length} bytes of ONNX: ${features.frozen.length} initializers frozen, features '${featuresOf(pretrained)}'`);

  // 3. The head trained on 5-9, the epoch chosen on their validation split. (These settings, a
  // hidden layer of 128, 10 epochs at 2e-3, no dropout, did best on validation of the few tried.)
  const second = await train(model, high, 10, 2e-3);
  log(`digits 5-9: validation accuracy ${(100 * second.kept.valAccuracy!).toFixed(2)}% (epoch ${second.kept.epoch} kept)`);

  // 4. The test digits 5-9, once: dawnflow, then onnxruntime on the exported fine-tuned model.
  const ours = await second.trainer.evaluate(high.test);
  const exported = exportModel(model, { exampleShape: IMAGE, batch: 100, values: await second.trainer.snapshot() });
  second.trainer.dispose();
  const theirs = await onnxruntimeAccuracy(exported, high.test, 100);
  console.log(`finetune: test accuracy ${(100 * ours.accuracy!).toFixed(2)}% (dawnflow), ${(100 * theirs).toFixed(2)}% (onnxruntime on the exported model)`);
}

await main();
