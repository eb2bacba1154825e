import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { compile } from '../../compiler/compile.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import type { HostTensor } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { Executable, getDefaultDevice, shaderModuleCount } from '../../runtime/index.js';
import { randomTensor } from '../helpers/random.js';
import type { ModelSpec } from './helpers/onnx_builder.js';
import { BOOL, F32, int64s, modelBytes, node, tensor, valueInfo } from './helpers/onnx_builder.js';

/**
 * Whole models built by hand, run by dawnflow on the Dawn device and by onnxruntime-node's CPU
 * execution provider, an implementation that shares no code with ours. Outputs must agree
 * within 1e-4 relative (plus 1e-5 absolute for values near zero).
 */

const RTOL = 1e-4;
const ATOL = 1e-5;
let device: DawnDevice;

beforeAll(async () => {
  device = await getDefaultDevice();
});

let seed = 100;
function weight(name: string, shape: number[], scale = 0.5): ReturnType<typeof tensor> {
  const t = randomTensor('f32', shape, seed++, -scale, scale);
  return tensor(name, shape, t.data as Float32Array);
}

const sessions: ort.InferenceSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

async function runOrt(bytes: Uint8Array, inputs: Record<string, HostTensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  sessions.push(session);
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, [...t.shape])]));
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
}

async function runDawnflow(bytes: Uint8Array, inputs: Record<string, HostTensor>, dims: Record<string, number> = {}): Promise<Record<string, HostTensor>> {
  const { graph } = importOnnx(bytes);
  const exe = await Executable.load(compile(graph, { dims, limits: device.limits }), device);
  try {
    return await exe.run(inputs);
  } finally {
    exe.dispose();
  }
}

function expectMatch(actual: HostTensor, expected: Float32Array, label: string): void {
  expect(actual.data.length, `${label} length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(Number(actual.data[i]) - expected[i]) - (ATOL + RTOL * Math.abs(expected[i]));
    if (!(excess <= 0)) expect.fail(`${label}: element ${i} is ${actual.data[i]}, onnxruntime gives ${expected[i]}`);
    worst = Math.max(worst, Math.abs(Number(actual.data[i]) - expected[i]));
  }
  expect(worst).toBeLessThan(1);
}

async function compareWithOrt(spec: ModelSpec, inputs: Record<string, HostTensor>, dims: Record<string, number> = {}): Promise<void> {
  const bytes = modelBytes(spec);
  const [ours, theirs] = [await runDawnflow(bytes, inputs, dims), await runOrt(bytes, inputs)];
  for (const out of spec.outputs) expectMatch(ours[out.name!], theirs[out.name!], out.name!);
}

/** One plan compiled with the model's dims symbolic, run at each size; no shader module is made after its load. */
async function compareAtSizes(bytes: Uint8Array, runs: readonly Record<string, HostTensor>[]): Promise<void> {
  const plan = compile(importOnnx(bytes).graph, { limits: device.limits });
  expect(plan.symbolic, 'the plan keeps the dims symbolic').toBeDefined();
  const exe = await Executable.load(plan, device);
  const loaded = shaderModuleCount();
  try {
    for (const inputs of runs) {
      const [ours, theirs] = [await exe.run(inputs), await runOrt(bytes, inputs)];
      const size = JSON.stringify(Object.values(inputs)[0].shape);
      for (const name of Object.keys(theirs)) expectMatch(ours[name], theirs[name], `${name} at ${size}`);
    }
    expect(shaderModuleCount() - loaded).toBe(0);
  } finally {
    exe.dispose();
  }
}

function mlp(batch: number | string): ModelSpec {
  return {
    opset: 17,
    nodes: [
      node('Gemm', ['x', 'w1', 'b1'], ['h1'], { transB: 1 }),
      node('Relu', ['h1'], ['a1']),
      node('MatMul', ['a1', 'w2'], ['h2']),
      node('Add', ['h2', 'b2'], ['logits']),
      node('Softmax', ['logits'], ['probs'], { axis: -1 }),
    ],
    inputs: [valueInfo('x', F32, [batch, 16])],
    outputs: [valueInfo('logits', F32, [batch, 10]), valueInfo('probs', F32, [batch, 10])],
    initializers: [weight('w1', [32, 16]), weight('b1', [32]), weight('w2', [32, 10]), weight('b2', [10])],
  };
}

// Pipeline creation on a shared software adapter can take tens of seconds per model.
const SLOW = 300_000;

describe('dawnflow matches onnxruntime-node on whole models', () => {
  it('an MLP (Gemm, ReLU, MatMul, Softmax)', async () => {
    await compareWithOrt(mlp(4), { x: randomTensor('f32', [4, 16], 1) });
  }, SLOW);

  it('a model with a symbolic batch dim, compiled once per batch size', async () => {
    const spec = mlp('batch');
    for (const batch of [3, 17]) {
      await compareWithOrt(spec, { x: randomTensor('f32', [batch, 16], batch) }, { batch });
    }
  }, SLOW);

  it('a model with a symbolic batch dim, compiled once for every batch size (1, 7, 61)', async () => {
    const bytes = modelBytes(mlp('batch'));
    await compareAtSizes(bytes, [1, 7, 61].map((n) => ({ x: randomTensor('f32', [n, 16], 50 + n) })));
  }, SLOW);

  it('a CNN with symbolic H and W (SAME padding at stride 1, explicit at stride 2), compiled once: 1×1, 11×7, 30×24', async () => {
    const spec: ModelSpec = {
      opset: 17,
      nodes: [
        node('Conv', ['x', 'c1w', 'c1b'], ['c1'], { auto_pad: 'SAME_UPPER', kernel_shape: [3, 3] }),
        node('Relu', ['c1'], ['r1']),
        node('MaxPool', ['r1'], ['p1'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
        node('Conv', ['p1', 'c2w'], ['c2'], { strides: [2, 2], pads: [1, 1, 1, 1] }),
        node('Relu', ['c2'], ['r2']),
        node('GlobalAveragePool', ['r2'], ['g']),
        node('Flatten', ['g'], ['f']),
        node('Gemm', ['f', 'fcw', 'fcb'], ['y'], { transB: 1 }),
      ],
      inputs: [valueInfo('x', F32, [2, 3, 'H', 'W'])],
      outputs: [valueInfo('y', F32, [2, 10])],
      initializers: [weight('c1w', [8, 3, 3, 3]), weight('c1b', [8]), weight('c2w', [16, 8, 3, 3], 0.3), weight('fcw', [10, 16]), weight('fcb', [10])],
    };
    const sizes = [
      [1, 1],
      [11, 7],
      [30, 24],
    ];
    await compareAtSizes(modelBytes(spec), sizes.map(([h, w]) => ({ x: randomTensor('f32', [2, 3, h, w], 60 + h) })));
  }, SLOW);

  it('a small CNN with BatchNorm, pooling and SAME padding', async () => {
    const spec: ModelSpec = {
      opset: 17,
      nodes: [
        node('Conv', ['x', 'c1w', 'c1b'], ['c1'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }),
        node('BatchNormalization', ['c1', 'bn1s', 'bn1b', 'bn1m', 'bn1v'], ['n1'], { epsilon: { float: 1e-5 } }),
        node('Relu', ['n1'], ['r1']),
        node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] }),
        node('Conv', ['p1', 'c2w'], ['c2'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
        node('BatchNormalization', ['c2', 'bn2s', 'bn2b', 'bn2m', 'bn2v'], ['n2']),
        node('Relu', ['n2'], ['r2']),
        node('GlobalAveragePool', ['r2'], ['g']),
        node('Flatten', ['g'], ['f']),
        node('Gemm', ['f', 'fcw', 'fcb'], ['y'], { transB: 1 }),
      ],
      inputs: [valueInfo('x', F32, [2, 3, 17, 17])],
      outputs: [valueInfo('y', F32, [2, 10])],
      initializers: [
        weight('c1w', [8, 3, 3, 3]),
        weight('c1b', [8]),
        weight('bn1s', [8]),
        weight('bn1b', [8]),
        weight('bn1m', [8]),
        tensor('bn1v', [8], randomTensor('f32', [8], 7, 0.5, 1.5).data as Float32Array),
        weight('c2w', [16, 8, 3, 3], 0.3),
        weight('bn2s', [16]),
        weight('bn2b', [16]),
        weight('bn2m', [16]),
        tensor('bn2v', [16], randomTensor('f32', [16], 8, 0.5, 1.5).data as Float32Array),
        weight('fcw', [10, 16]),
        weight('fcb', [10]),
      ],
    };
    await compareWithOrt(spec, { x: randomTensor('f32', [2, 3, 17, 17], 2) });
  }, SLOW);

  it('a transformer decoder block (LayerNorm, causal-mask attention, GELU)', async () => {
    const [B, T, D, H] = [2, 8, 16, 2];
    const dh = D / H;
    const causal = Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0));
    const heads = (name: string) => [
      node('MatMul', ['ln1', `w${name}`], [`${name}0`]),
      node('Add', [`${name}0`, `b${name}`], [`${name}1`]),
      node('Reshape', [`${name}1`, 'split_heads'], [`${name}2`]),
      node('Transpose', [`${name}2`], [name], { perm: [0, 2, 1, 3] }),
    ];
    const spec: ModelSpec = {
      opset: 20,
      nodes: [
        node('LayerNormalization', ['x', 'ln1s', 'ln1b'], ['ln1'], { axis: -1, epsilon: { float: 1e-5 } }),
        ...heads('q'),
        ...heads('k'),
        ...heads('v'),
        node('Transpose', ['k'], ['kt'], { perm: [0, 1, 3, 2] }),
        node('MatMul', ['q', 'kt'], ['s0']),
        node('Mul', ['s0', 'scale'], ['s1']),
        node('Where', ['mask', 's1', 'neg'], ['s2']),
        node('Softmax', ['s2'], ['attn'], { axis: -1 }),
        node('MatMul', ['attn', 'v'], ['ctx0']),
        node('Transpose', ['ctx0'], ['ctx1'], { perm: [0, 2, 1, 3] }),
        node('Reshape', ['ctx1', 'merge_heads'], ['ctx']),
        node('MatMul', ['ctx', 'wo'], ['o0']),
        node('Add', ['o0', 'bo'], ['o1']),
        node('Add', ['x', 'o1'], ['res1']),
        node('LayerNormalization', ['res1', 'ln2s', 'ln2b'], ['ln2'], { axis: -1 }),
        node('MatMul', ['ln2', 'wf1'], ['f0']),
        node('Add', ['f0', 'bf1'], ['f1']),
        node('Gelu', ['f1'], ['f2']),
        node('MatMul', ['f2', 'wf2'], ['f3']),
        node('Add', ['f3', 'bf2'], ['f4']),
        node('Add', ['res1', 'f4'], ['y']),
      ],
      inputs: [valueInfo('x', F32, [B, T, D])],
      outputs: [valueInfo('y', F32, [B, T, D])],
      initializers: [
        weight('ln1s', [D]),
        weight('ln1b', [D]),
        weight('ln2s', [D]),
        weight('ln2b', [D]),
        ...['q', 'k', 'v', 'o'].flatMap((n) => [weight(`w${n}`, [D, D]), weight(`b${n}`, [D])]),
        weight('wf1', [D, 4 * D]),
        weight('bf1', [4 * D]),
        weight('wf2', [4 * D, D]),
        weight('bf2', [D]),
        int64s('split_heads', [B, T, H, dh]),
        int64s('merge_heads', [B, T, D]),
        tensor('scale', [], [1 / Math.sqrt(dh)]),
        tensor('neg', [], [-1e9]),
        tensor('mask', [T, T], causal, BOOL),
      ],
    };
    await compareWithOrt(spec, { x: randomTensor('f32', [B, T, D], 3) });
  }, SLOW);
});
