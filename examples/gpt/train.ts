import type { EpochRecord } from '../../index.js';
import { ArrayDataset, compileTraining, getDefaultDevice, Gpt, nextTokenLoss, optim, schedules, Trainer } from '../../index.js';
import type { DawnDevice, GptConfig } from '../../index.js';
import { CharVocabulary, loadCorpus, windows } from './char_corpus.js';

/** What the example trains: a character-level GPT on the corpus, 90% to train on, the last 10% to validate. */
export interface CharTrainingOptions {
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  /** Training window length (tokens per sequence). */
  readonly sequence: number;
  readonly contextLength: number;
  readonly batch: number;
  readonly epochs: number;
  /** Peak learning rate (cosine decay to a tenth of it over the run, after a short warm-up). */
  readonly lr: number;
  readonly seed: number;
  readonly progress?: 'auto' | 'lines' | 'none';
  readonly onEpochEnd?: (record: EpochRecord) => void;
}

export interface CharModel {
  readonly model: Gpt;
  readonly vocab: CharVocabulary;
  readonly history: readonly EpochRecord[];
  /** Mean next-token loss on the validation text before training (about ln(vocabulary)). */
  readonly initialValLoss: number;
  readonly trainSeconds: number;
  readonly corpusPath: string;
  readonly corpusChars: number;
}

export async function trainCharModel(o: CharTrainingOptions, device?: DawnDevice): Promise<CharModel> {
  const dev = device ?? (await getDefaultDevice());
  const { text, path } = loadCorpus();
  const vocab = new CharVocabulary(text);
  const ids = vocab.encode(text);
  const split = Math.floor(ids.length * 0.9);
  // Overlapping windows (half a window apart) to train on; disjoint ones to validate on.
  const train = windows(ids.subarray(0, split), o.sequence, o.sequence / 2);
  const val = windows(ids.subarray(split), o.sequence, o.sequence);
  const config: GptConfig = { vocabSize: vocab.size, contextLength: o.contextLength, layers: o.layers, heads: o.heads, dim: o.dim };
  const model = new Gpt(config);
  const stepsPerEpoch = Math.floor(train.count / o.batch);
  const total = stepsPerEpoch * o.epochs;
  const program = compileTraining({
    model,
    input: { shape: [o.sequence], dtype: 'i32' },
    target: { shape: [o.sequence], dtype: 'i32' },
    loss: nextTokenLoss,
    optimizer: optim.adamW({ lr: schedules.warmup(Math.max(1, Math.min(50, Math.round(total / 10))), schedules.cosine(o.lr, total, o.lr / 10)), clipNorm: 1, weightDecay: 0.01 }),
    batchSize: o.batch,
    evalBatchSize: Math.min(32, val.count),
    seed: o.seed,
    limits: dev.limits,
  });
  const trainer = await Trainer.load(program, dev);
  try {
    const trainData = new ArrayDataset(train.x, train.y, [o.sequence], [o.sequence]);
    const valData = new ArrayDataset(val.x, val.y, [o.sequence], [o.sequence]);
    const initialValLoss = (await trainer.evaluate(valData)).loss;
    const started = performance.now();
    const history = await trainer.fit(trainData, { epochs: o.epochs, seed: o.seed, validation: valData, progress: o.progress ?? 'none', onEpochEnd: o.onEpochEnd });
    const trainSeconds = (performance.now() - started) / 1000;
    // The trained values become the model's, so the decoder's plans and the ONNX export carry them.
    const trained = await trainer.parameters();
    for (const [name, p] of model.namedParameters()) if (trained[name]) p.value = trained[name];
    return { model, vocab, history, initialValLoss, trainSeconds, corpusPath: path, corpusChars: text.length };
  } finally {
    trainer.dispose();
  }
}
