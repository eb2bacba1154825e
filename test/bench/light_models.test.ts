import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { LIGHT_INPUT_SHAPE, LIGHT_MODELS_DIR, materializeLightModel } from '../../bench/models/light_models.js';
import { normalArray } from '../../bench/seeded_random.js';

// The light models come with every weight a ConstantOfShape of 0.02, so their output does not
// depend on the input. After conversion they must have real, input-dependent outputs.

describe('materializeLightModel', () => {
  it('turns squeezenet\'s ConstantOfShape weights into initializers and leaves one graph input', () => {
    const model = onnxProto.onnx.ModelProto.decode(materializeLightModel(LIGHT_MODELS_DIR, 'squeezenet'));
    const graph = model.graph!;
    expect(graph.node!.filter((n) => n.opType === 'ConstantOfShape')).toEqual([]);
    expect(graph.input!.map((i) => i.name)).toEqual(['data_0']);
    const initializers = new Set(graph.initializer!.map((t) => t.name));
    const weights = graph.node!.filter((n) => n.opType === 'Conv').map((n) => n.input![1]);
    expect(weights.length).toBe(26);
    for (const w of weights) expect(initializers.has(w), w).toBe(true);
    expect(Number(model.irVersion)).toBeGreaterThanOrEqual(4);
  });

  it('gives deterministic weights, and outputs that depend on the input without saturating', async () => {
    const bytes = materializeLightModel(LIGHT_MODELS_DIR, 'squeezenet');
    expect(Buffer.from(bytes).equals(Buffer.from(materializeLightModel(LIGHT_MODELS_DIR, 'squeezenet')))).toBe(true);
    const session = await ort.InferenceSession.create(bytes);
    const n = LIGHT_INPUT_SHAPE.reduce((a, b) => a * b, 1);
    const run = async (seed: string): Promise<Float32Array> =>
      (await session.run({ data_0: new ort.Tensor('float32', normalArray(seed, n), [...LIGHT_INPUT_SHAPE]) })).softmaxout_1.data as Float32Array;
    const [a, b] = [await run('light-test/a'), await run('light-test/b')];
    expect(a.length).toBe(1000);
    const largestDifference = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
    expect(largestDifference).toBeGreaterThan(1e-4);
    // Not one-hot: a checked output must carry information in more than one class.
    expect(Math.max(...a)).toBeLessThan(0.99);
    await session.release();
  });

  it('keeps resnet50\'s softmax off one-hot (residual BatchNorms scaled down)', async () => {
    const session = await ort.InferenceSession.create(materializeLightModel(LIGHT_MODELS_DIR, 'resnet50'));
    const n = LIGHT_INPUT_SHAPE.reduce((a, b) => a * b, 1);
    const out = (await session.run({ 'gpu_0/data_0': new ort.Tensor('float32', normalArray('light-test/r', n), [...LIGHT_INPUT_SHAPE]) }))['gpu_0/softmax_1'].data as Float32Array;
    expect(out.length).toBe(1000);
    expect(Math.max(...out)).toBeLessThan(0.99);
    expect(Math.max(...out)).toBeGreaterThan(Math.min(...out) * 1.5);
    await session.release();
  });
});
