import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { crossEntropy, nn } from '../../compiler/dsl/index.js';
import { exportModel, OnnxModule } from '../../compiler/finetune/index.js';
import { decodeModel } from '../../compiler/onnx/proto.js';
import { decodeTensor } from '../../compiler/onnx/tensor_proto.js';
import { optim, schedules } from '../../compiler/optim/index.js';
import type { TrainingSpec } from '../../compiler/train/index.js';
import { compileTraining } from '../../compiler/train/index.js';
import type { HostTensor } from '../../ir/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../runtime/checkpoint/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { Trainer } from '../../runtime/training/index.js';
import { randomTensor } from '../helpers/random.js';
import { bnOnInput, convBnGemm } from './models.js';

/**
 * Fine-tuning an imported ONNX model on the device: frozen initializers stay bit for bit what
 * they were, BatchNorm's running statistics move as ONNX's rule says, and the model exported
 * after training runs in onnxruntime-node with dawnflow's outputs.
 */

const BATCH = 8;

function initializers(bytes: Uint8Array): Map<string, HostTensor> {
  return new Map((decodeModel(bytes).graph?.initializer ?? []).map((t) => [t.name ?? '', decodeTensor(t).tensor]));
}

async function onnxruntime(bytes: Uint8Array, x: HostTensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const out = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
  return out.output.data as Float32Array;
}

describe('fine-tuning an imported ONNX model', () => {
  it('freezes the convolution, trains BatchNorm and a DSL head, and exports what onnxruntime runs with the same outputs', async () => {
    const original = convBnGemm();
    // Everything after the convolution trains; the model is cut at its flattened features and
    // a new head of 3 classes replaces its Gemm.
    const features = new OnnxModule(original, { trainable: { after: 'conv' }, output: 'f' });
    expect(features.trainableNames).toEqual(['bn.scale', 'bn.bias']);
    expect(features.frozen).toEqual(['conv.w', 'conv.b']);
    const spec: TrainingSpec = {
      model: new nn.Sequential(features, new nn.Linear(48, 3)),
      input: { shape: [2, 6, 6] },
      target: { shape: [], dtype: 'i32' },
      loss: crossEntropy,
      optimizer: optim.adam({ lr: 0.05 }),
      batchSize: BATCH,
      seed: 3,
    };
    const device = await getDefaultDevice();
    const program = compileTraining({ ...spec, limits: device.limits });
    expect(program.parameters).toEqual(['layers.0.initializers.bn.scale', 'layers.0.initializers.bn.bias', 'layers.1.weight', 'layers.1.bias']);
    expect(program.buffers).toEqual(['layers.0.initializers.bn.mean', 'layers.0.initializers.bn.var']);

    const trainer = await Trainer.load(program, device);
    try {
      const x = randomTensor('f32', [BATCH, 2, 6, 6], 31, -1, 1);
      const y = Int32Array.from({ length: BATCH }, (_, i) => i % 3);
      const losses: number[] = [];
      for (let s = 0; s < 12; s++) losses.push(await trainer.step(x.data, y).loss());
      expect(losses[11]).toBeLessThan(losses[0]);

      const states = await trainer.snapshot();
      const before = initializers(original);
      // BatchNorm's trained and updated tensors moved; the running mean by ONNX's momentum rule.
      expect(states['layers.0.initializers.bn.scale'].data).not.toEqual(before.get('bn.scale')!.data);
      expect(states['layers.0.initializers.bn.mean'].data).not.toEqual(before.get('bn.mean')!.data);

      const exported = exportModel(spec.model, { exampleShape: [2, 6, 6], batch: BATCH, values: states });
      const after = initializers(exported);
      // Frozen: bit for bit the original initializers, under their own names.
      for (const name of features.frozen) expect(Buffer.from(after.get(name)!.data.buffer).equals(Buffer.from(before.get(name)!.data.buffer)), name).toBe(true);
      // Trained and updated ones: the trainer's values.
      expect(after.get('layers.0.initializers.bn.scale')!.data).toEqual(states['layers.0.initializers.bn.scale'].data);
      expect(after.get('layers.0.initializers.bn.var')!.data).toEqual(states['layers.0.initializers.bn.var'].data);

      const probe = randomTensor('f32', [BATCH, 2, 6, 6], 47, -1, 1);
      const ours = await trainer.predict(probe.data, BATCH);
      const theirs = await onnxruntime(exported, probe);
      expect(theirs.length).toBe(BATCH * 3);
      const worst = Math.max(...Array.from(theirs, (v, i) => Math.abs(v - Number(ours.data[i]))));
      expect(Number.isFinite(worst) && worst <= 1e-4, `largest difference ${worst}`).toBe(true);
    } finally {
      trainer.dispose();
    }
  });

  it('checkpoints as a DSL model does: saved after 3 steps, reloaded into a fresh trainer, the next steps are bit-identical', async () => {
    const build = (): TrainingSpec => ({
      model: new nn.Sequential(new OnnxModule(convBnGemm(), { trainable: /^(bn|fc)\./ }), new nn.Dropout(0.2), new nn.Linear(4, 3)),
      input: { shape: [2, 6, 6] },
      target: { shape: [], dtype: 'i32' },
      loss: crossEntropy,
      optimizer: optim.adam({ lr: schedules.cosine(0.02, 10) }),
      batchSize: BATCH,
      seed: 8,
    });
    const device = await getDefaultDevice();
    const file = join(mkdtempSync(join(tmpdir(), 'dawnflow-finetune-')), 'ckpt.safetensors');
    const x = randomTensor('f32', [BATCH, 2, 6, 6], 61, -1, 1);
    const y = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 3);
    const runs: number[][] = [];
    for (const resume of [false, true]) {
      const trainer = await Trainer.load(compileTraining({ ...build(), limits: device.limits }), device);
      try {
        if (resume) await loadCheckpoint(trainer.train, file);
        else {
          for (let s = 0; s < 3; s++) await trainer.step(x.data, y).loss();
          await saveCheckpoint(trainer.train, file, { step: 3 });
        }
        const losses: number[] = [];
        for (let s = 0; s < 3; s++) losses.push(await trainer.step(x.data, y).loss());
        runs.push(losses);
      } finally {
        trainer.dispose();
      }
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(new Set(runs[0]).size).toBe(3);
  });

  it('updates BatchNorm running statistics from the batch: running · momentum + batch · (1 − momentum)', async () => {
    const model = new OnnxModule(bnOnInput(), { trainable: ['w'], batchNorm: 'batch' });
    const spec: TrainingSpec = {
      model,
      input: { shape: [3, 4, 4] },
      target: { shape: [1] },
      loss: (p, t) => p.sub(t).square().mean(),
      optimizer: optim.sgd({ lr: 0.01 }),
      batchSize: 4,
    };
    const device = await getDefaultDevice();
    const trainer = await Trainer.load(compileTraining({ ...spec, limits: device.limits }), device);
    try {
      const x = randomTensor('f32', [4, 3, 4, 4], 5, -2, 3);
      await trainer.step(x.data, new Float32Array(4)).loss();
      const mean = await trainer.train.readState('initializers.mean');
      const variance = await trainer.train.readState('initializers.var');
      const running = { mean: [0.2, -0.1, 0.3], var: [1, 2, 0.5] };
      for (let c = 0; c < 3; c++) {
        const values: number[] = [];
        for (let n = 0; n < 4; n++) for (let i = 0; i < 16; i++) values.push(Number(x.data[(n * 3 + c) * 16 + i]));
        const m = values.reduce((a, b) => a + b, 0) / values.length;
        const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
        expect(Number(mean.data[c])).toBeCloseTo(0.9 * running.mean[c] + 0.1 * m, 5);
        expect(Number(variance.data[c])).toBeCloseTo(0.9 * running.var[c] + 0.1 * v, 5);
      }
    } finally {
      trainer.dispose();
    }
  });
});
