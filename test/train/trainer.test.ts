import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor, Value } from '../../ir/index.js';
import { hostTensor, NumericError } from '../../ir/index.js';
import { optim } from '../../compiler/optim/index.js';
import { buildEvalGraph, buildTrainingGraph, compileTraining } from '../../compiler/train/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { ArrayDataset, Trainer } from '../../runtime/training/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { Captured, classifierSpec, FEATURES, teacherData } from './fixtures.js';

const trainers: Trainer[] = [];
afterAll(() => trainers.forEach((t) => t.dispose()));

async function load(seed: number, overrides: Parameters<typeof classifierSpec>[1] = {}): Promise<Trainer> {
  const device = await getDefaultDevice();
  const trainer = await Trainer.load(compileTraining({ ...classifierSpec(seed, overrides), limits: device.limits }), device);
  trainers.push(trainer);
  return trainer;
}

const bits = (t: HostTensor) => [...new Uint32Array(new Float32Array(t.data).buffer)];
const data = teacherData(100, 3);
const dataset = new ArrayDataset(data.x, data.y, [FEATURES]);

describe('Trainer', () => {
  it('a seeded fit is reproducible bit for bit, and learns', async () => {
    const runs = [];
    for (const seed of [5, 5, 6]) {
      const trainer = await load(seed);
      const history = await trainer.fit(dataset, { epochs: 6, seed: 1, progress: 'none' });
      runs.push({ history, params: await trainer.parameters() });
    }
    const [a, b, c] = runs;
    expect(a.history.map((r) => r.loss)).toEqual(b.history.map((r) => r.loss));
    for (const name of Object.keys(a.params)) expect(bits(a.params[name]), name).toEqual(bits(b.params[name]));
    expect(bits(a.params['layers.0.weight'])).not.toEqual(bits(c.params['layers.0.weight']));
    expect(a.history[5].loss).toBeLessThan(a.history[0].loss * 0.7);
    expect(a.history[5].accuracy!).toBeGreaterThan(0.8);
  });

  it('one step on the GPU equals the reference interpreter running the same step graph (dropout included)', async () => {
    const spec = classifierSpec(9);
    const { graph } = buildTrainingGraph(spec);
    const x = data.x.subarray(0, 16 * FEATURES);
    const y = data.y.subarray(0, 16);
    const feeds = { x: hostTensor('f32', [16, FEATURES], x), y: hostTensor('i32', [16], y) };
    const first = interpret(graph, feeds);
    const second = interpret(graph, feeds, { states: first.states });
    const trainer = await load(9);
    const losses = [await trainer.step(x, y).loss(), await trainer.step(x, y).loss()];
    expect(losses[0]).toBeCloseTo(Number(first.outputs.loss.data[0]), 4);
    expect(losses[1]).toBeCloseTo(Number(second.outputs.loss.data[0]), 4);
    const gpu = await trainer.snapshot();
    for (const [v, t] of second.states as Map<Value, HostTensor>) expectClose(gpu[v.name], t, { rtol: 1e-4, atol: 1e-5 }, v.name);
  });

  it('evaluation reads the parameters training wrote, counting each example once', async () => {
    const trainer = await load(2);
    await trainer.fit(dataset, { epochs: 2, progress: 'none' });
    const params = await trainer.parameters();
    const evaluation = await trainer.evaluate(dataset);
    // Reference: the eval graph over all 100 examples at once, with the trained parameters.
    const graph = buildEvalGraph({ ...classifierSpec(2), evalBatchSize: 100 });
    const states = new Map([...graph.states.keys()].map((v) => [v, params[v.name]] as const));
    const ref = interpret(graph, { x: hostTensor('f32', [100, FEATURES], data.x), y: hostTensor('i32', [100], data.y) }, { states }).outputs;
    const meanLoss = [...ref.loss.data].reduce((a, v) => a + Number(v), 0) / 100;
    const accuracy = [...ref.correct.data].reduce((a, v) => a + Number(v), 0) / 100;
    expect(evaluation.examples).toBe(100);
    expect(evaluation.loss).toBeCloseTo(meanLoss, 5);
    expect(evaluation.accuracy).toBeCloseTo(accuracy, 6);
    const prediction = await trainer.predict(data.x, 100);
    expectClose(prediction, ref.prediction, { rtol: 1e-4, atol: 1e-5 }, 'prediction');
  });

  it('restoring a snapshot continues exactly as the uninterrupted run', async () => {
    const trainer = await load(4);
    const batch = (s: number) => [data.x.subarray(s * 16 * FEATURES, (s + 1) * 16 * FEATURES), data.y.subarray(s * 16, (s + 1) * 16)] as const;
    for (let s = 0; s < 3; s++) trainer.step(...batch(s));
    const saved = await trainer.snapshot();
    const after = async () => {
      const out: number[] = [];
      for (let s = 3; s < 6; s++) out.push(await trainer.step(...batch(s)).loss());
      return out;
    };
    const uninterrupted = await after();
    trainer.restore(saved);
    expect(trainer.steps).toBe(3);
    expect(await after()).toEqual(uninterrupted);
  });

  it('keepBest ends with the epoch that did best on the validation data, chosen there and nowhere else', async () => {
    // Examples 100-159 of the same teacher (the first 100 are the training set).
    const more = teacherData(160, 3);
    const validation = new ArrayDataset(more.x.subarray(100 * FEATURES), more.y.subarray(100), [FEATURES]);
    // A rate high enough that validation accuracy goes up and down (epoch 3 of 6 is best here).
    const trainer = await load(4, { optimizer: optim.sgd({ lr: 2 }) });
    const history = await trainer.fit(dataset, { epochs: 6, seed: 2, progress: 'none', validation, keepBest: true });
    const kept = history.filter((r) => r.best);
    expect(kept).toHaveLength(1);
    // The first epoch with the highest validation accuracy...
    const top = Math.max(...history.map((r) => r.valAccuracy!));
    expect(kept[0].epoch).toBe(history.find((r) => r.valAccuracy === top)!.epoch);
    expect(kept[0].epoch).toBeLessThan(6);
    // ...and its states: evaluating again gives exactly that epoch's figures.
    const again = await trainer.evaluate(validation);
    expect([again.loss, again.accuracy]).toEqual([kept[0].valLoss, kept[0].valAccuracy]);
    await expect(trainer.fit(dataset, { epochs: 1, progress: 'none', keepBest: true })).rejects.toThrow(/validation/);
  });

  it('stops at a non-finite loss with a NumericError naming the step', async () => {
    const trainer = await load(1);
    const poisoned = new Float32Array(data.x);
    poisoned[20 * FEATURES] = NaN;
    const bad = new ArrayDataset(poisoned, data.y, [FEATURES]);
    const error = await trainer.fit(bad, { epochs: 1, shuffle: false, progress: 'none', onNonFinite: 'throw' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NumericError);
    // Example 20 is in the second batch of 16. WGSL's max(NaN, 0) may be 0, so the NaN can
    // vanish in the forward ReLU and show only in the weight gradient (NaN·dy).
    // The first layer's weight gradient is the first to carry it (x·dy).
    expect((error as Error).message).toMatch(/^training step 1 \(epoch 1, batch 1\): (the loss is NaN|the gradient of 'layers\.0\.weight' is not finite)$/);
  });

  it('reports one plain line per epoch off a terminal, and a redrawn bar with ETA on one', async () => {
    const trainer = await load(8);
    const plain = new Captured(false);
    await trainer.fit(dataset, { epochs: 2, stream: plain });
    const lines = plain.text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^epoch 2\/2 loss \d\.\d{4} · accuracy \d+\.\d\d% · \d+\.\ds · \d+ ex\/s$/);
    const tty = new Captured(true);
    await trainer.fit(dataset, { epochs: 1, stream: tty });
    expect(tty.text).toMatch(/\repoch 1\/1 \[=+[> =]*\] \d+\/6 loss \d\.\d{4} \d+ ex\/s ETA \d+:\d\d/);
    expect(tty.text.endsWith('\n')).toBe(true);
  });
});
