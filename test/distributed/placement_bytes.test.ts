import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../compiler/dsl/index.js';
import { crossEntropy, init, Module, nn, Parameter, Trace } from '../../compiler/dsl/index.js';
import { optim } from '../../compiler/optim/index.js';
import { DEFAULT_COST_MODEL } from '../../compiler/parallel/cost.js';
import { bucketGradients } from '../../compiler/parallel/data_parallel.js';
import { compileInferencePipeline, placeInference } from '../../compiler/parallel/inference_pipeline.js';
import { compilePhases } from '../../compiler/parallel/phased.js';
import { compilePipeline, placementUnits, profileBlocks } from '../../compiler/parallel/pipeline.js';
import { formatPipelinePlan } from '../../compiler/parallel/plan_summary.js';
import { blocksOf, prepareModel } from '../../compiler/parallel/training_graphs.js';
import type { TrainingSpec } from '../../compiler/train/index.js';
import { hostTensor } from '../../ir/index.js';

/**
 * The parallel compiler's byte estimates on models with f16 tensors: stage placement, the
 * `inspect --plan --devices S` summary and gradient buckets, each against numel × element size
 * worked out here by hand (f16 2 bytes, f32 4; bool 4 on the device, where it is a u32 word,
 * and 1 on the host).
 */
const DEVICE_BYTES = { f32: 4, f16: 2, i32: 4, u32: 4, bool: 4 } as const;
const HOST_BYTES = { ...DEVICE_BYTES, bool: 1 } as const;

class ToHalf extends Module {
  forward(x: Tensor): Tensor {
    return x.cast('f16');
  }
}

class ToFloat extends Module {
  forward(x: Tensor): Tensor {
    return x.cast('f32');
  }
}

/** A fixed f16 offset: a buffer (not trained: the optimizers update f32 parameters only). */
class HalfShift extends Module {
  readonly shift: Parameter;
  constructor(n: number) {
    super();
    this.shift = new Parameter([n], init.zeros(), { dtype: 'f16', trainable: false });
  }
  forward(x: Tensor): Tensor {
    return x.add(x.trace.param(this.shift));
  }
}

const FEATURES = 8;
const MICRO_BATCH = 6;

/** Layers 1–3 run in f16: their activations, the cut after them and layers.2's buffer are f16. */
function mixedSpec(): TrainingSpec {
  return {
    model: new nn.Sequential(new nn.Linear(FEATURES, 16), new ToHalf(), new HalfShift(16), nn.ReLU(), new ToFloat(), new nn.Linear(16, 12), nn.Tanh(), new nn.Linear(12, 3)),
    input: { shape: [FEATURES] },
    target: { shape: [], dtype: 'i32' },
    loss: crossEntropy,
    optimizer: optim.adam({ lr: 0.01 }),
    batchSize: 4 * MICRO_BATCH,
    evalBatchSize: 8,
    seed: 1,
  };
}

describe('pipeline placement counts each dtype at its size', () => {
  it('activations: each layer output at its own dtype', () => {
    const spec = mixedSpec();
    prepareModel(spec);
    const profiles = profileBlocks(spec, blocksOf(spec.model), MICRO_BATCH);
    const f32 = (n: number) => n * 4;
    const f16 = (n: number) => n * 2;
    expect(profiles.map((p) => p.output.dtype)).toEqual(['f32', 'f16', 'f16', 'f16', 'f32', 'f32', 'f32', 'f32']);
    // The nodes of layers 0–6 (the last also traces the loss): matmul and add, cast, add, relu, cast, matmul and add, tanh.
    expect(profiles.slice(0, 7).map((p) => p.activationBytes)).toEqual([
      f32(2 * MICRO_BATCH * 16),
      f16(MICRO_BATCH * 16),
      f16(MICRO_BATCH * 16),
      f16(MICRO_BATCH * 16),
      f32(MICRO_BATCH * 16),
      f32(2 * MICRO_BATCH * 12),
      f32(MICRO_BATCH * 12),
    ]);
  });

  it('parameters: a trainable one four times over under Adam (value, accumulator, m, v), an f16 buffer once at 2 bytes', () => {
    const spec = mixedSpec();
    prepareModel(spec);
    const profiles = profileBlocks(spec, blocksOf(spec.model), MICRO_BATCH);
    const units = placementUnits(profiles, 'adam', DEFAULT_COST_MODEL);
    expect(units.map((u) => u.fixedBytes)).toEqual([4 * (FEATURES * 16 + 16) * 4, 0, 16 * 2, 0, 0, 4 * (16 * 12 + 12) * 4, 0, 4 * (12 * 3 + 3) * 4]);
    expect(units.map((u) => u.peakBytes)).toEqual(profiles.map((p) => 2 * p.activationBytes));
  });

  it('the inputs a stage keeps on the host count at their dtype', () => {
    const program = compilePipeline(mixedSpec(), { stages: 3, microBatches: 4, schedule: 'gpipe' });
    const inputs = program.stages.flatMap((s) => (s.input ? [s.input] : []));
    expect(inputs.some((t) => t.dtype === 'f16')).toBe(true);
    for (const s of program.stages) {
      // GPipe keeps all 4 micro-batches' inputs until their backward.
      const expected = s.input ? 4 * MICRO_BATCH * s.input.exampleShape.reduce((a, b) => a * b, 1) * HOST_BYTES[s.input.dtype] : 0;
      expect(s.estimate.savedActivationBytes, `stage ${s.index}`).toBe(expected);
    }
  });
});

/**
 * y = relu(x·w1)·w2 in f16, x [4, 8], w1 [8, 16], w2 [16, 6]; and x > 0 (bool), made by the first
 * node and an output, so it crosses every cut.
 */
function halfGraph() {
  const t = new Trace('half_mlp', { mode: 'eval', seed: 1 });
  const x = t.input('x', 'f16', [4, FEATURES]);
  const positive = x.greater(0);
  const h = x.matmul(t.constant(hostTensor('f16', [FEATURES, 16]))).relu();
  t.output(h.matmul(t.constant(hostTensor('f16', [16, 6]))), 'y');
  t.output(positive, 'positive');
  return t.graph;
}

describe('inference placement and its summary count each dtype at its size', () => {
  it('weights at their first user and each node working set, f16 at 2 bytes', () => {
    const placement = placeInference(halfGraph(), { stages: 2 });
    const byName = new Map(placement.units.map((u) => [u.name.replace(/_\d+$/, ''), u]));
    const matmuls = placement.units.filter((u) => u.name.startsWith('matmul'));
    expect(matmuls.map((u) => u.fixedBytes)).toEqual([FEATURES * 16 * 2, 16 * 6 * 2]);
    // matmul reads x [4,8] and writes [4,16]; the second reads h [4,16] and writes y [4,6].
    expect(matmuls.map((u) => u.peakBytes)).toEqual([(4 * FEATURES + 4 * 16) * 2, (4 * 16 + 4 * 6) * 2]);
    // relu: f16 in and out. greater: f16 in, bool out (a u32 word on the device).
    expect(byName.get('relu')?.peakBytes).toBe(2 * 4 * 16 * 2);
    expect(byName.get('greater')?.peakBytes).toBe(4 * FEATURES * 2 + 4 * FEATURES * 4);
  });

  it('`inspect --plan --devices 2` prints the bytes each cut sends', () => {
    const program = compileInferencePipeline(halfGraph(), { stages: 2 });
    const text = formatPipelinePlan(program);
    const cut = program.stages[0].sends;
    expect(cut.map((t) => t.dtype).sort()).toEqual(['bool', 'f16']);
    const line = text.split('\n').find((l) => l.startsWith('  cut 0→1: '));
    const expected = cut.map((t) => `'${t.name}' ${t.dtype}[${t.shape.join(',')}] (${t.shape.reduce((a, b) => a * b, 1) * HOST_BYTES[t.dtype]} bytes)`).join(', ');
    expect(line).toBe(`  cut 0→1: ${expected}`);
  });
});

describe('gradient buckets', () => {
  it('count elements, and all-reduce them as f32 whatever the gradient dtype', () => {
    // A 'grads' phase with gradients of 300 (f16), 100 (f32) and 64 (f16) elements.
    const t = new Trace('grads', { mode: 'train', seed: 1 });
    const x = t.input('x', 'f32', [300]);
    t.output(x.mul(2).cast('f16'), 'grad:a');
    t.output(x.slice([0], [100]).mul(3), 'grad:b');
    t.output(x.slice([0], [64]).cast('f16'), 'grad:c');
    const phased = compilePhases('step', [t.graph]);
    // 1024 bytes hold 256 f32 elements: a (1200 bytes as f32) alone, then b and c (656 bytes).
    const buckets = bucketGradients(phased, ['a', 'b', 'c'], 1024);
    expect(buckets.map((b) => [b.inputs, b.elements])).toEqual([
      [['grad:a'], 300],
      [['grad:b', 'grad:c'], 164],
    ]);
  });
});
