import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Trace } from '../../compiler/dsl/index.js';
import { toOnnx } from '../../compiler/onnx/export.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { compileInferencePipeline } from '../../compiler/parallel/inference_pipeline.js';
import { formatPipelinePlan } from '../../compiler/parallel/plan_summary.js';
import { OutOfMemoryError } from '../../ir/index.js';
import { runInferencePipeline } from '../../runtime/distributed/inference_rank.js';
import { mnistCnn } from '../../examples/mnist_models.js';
import { randomTensor } from '../helpers/random.js';

/**
 * An ONNX model (the MNIST CNN exported by dawnflow, with a symbolic batch) split into stages on
 * as many devices, a stream of batches flowing through them; every output equals
 * onnxruntime-node's on the same file.
 */
const BATCH = 8;

function cnnOnnx(): Uint8Array {
  const model = mnistCnn(0);
  model.namedParameters();
  model.initialize(5);
  const t = new Trace('mnist_cnn', { mode: 'eval', seed: 5 });
  t.output(model.call(t.input('x', 'f32', ['batch', 1, 28, 28])), 'logits');
  return toOnnx(t.graph);
}

describe('inference pipeline', () => {
  it('3 stages on 3 devices give onnxruntime-node outputs for a stream of 5 batches', async () => {
    const bytes = cnnOnnx();
    const program = compileInferencePipeline(importOnnx(bytes).graph, { stages: 3, dims: { batch: BATCH } });
    expect(program.stages).toHaveLength(3);
    // Something crosses each cut, and the last stage ends with the model's output.
    for (const s of program.stages.slice(0, -1)) expect(s.sends.length).toBeGreaterThan(0);
    expect(program.stages[2].sends.map((t) => t.name)).toEqual(['logits']);
    const batches = Array.from({ length: 5 }, (_, k) => ({ x: randomTensor('f32', [BATCH, 1, 28, 28], 100 + k, 0, 1).data as Float32Array }));
    const outputs = await runInferencePipeline(program, batches);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    try {
      for (const [k, batch] of batches.entries()) {
        const expected = (await session.run({ x: new ort.Tensor('float32', batch.x, [BATCH, 1, 28, 28]) })).logits.data as Float32Array;
        const actual = outputs[k].logits.data as Float32Array;
        expect(actual.length).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `batch ${k} element ${i}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected[i]));
      }
    } finally {
      await session.release();
    }
  }, 600_000);

  it('prints the cut, each stage cost and memory', () => {
    const program = compileInferencePipeline(importOnnx(cnnOnnx()).graph, { stages: 2, dims: { batch: BATCH } });
    const text = formatPipelinePlan(program);
    expect(text).toMatch(/^pipeline of 2 stages on 2 devices/);
    expect(text).toMatch(/stage 0: nodes .+ · \d+\.\d{3} GFLOP, \d+\.\d\d MiB touched · est\. \d+\.\d\d ms · memory \d+\.\d\d MiB/);
    expect(text).toMatch(/cut 0→1: '[^']+' f32\[8,/);
    // Stage costs are balanced better than all-in-one: the slowest stage is under 3/4 of the total.
    const ms = program.stages.map((s) => s.estimate.ms);
    expect(Math.max(...ms)).toBeLessThan(0.75 * ms.reduce((a, b) => a + b, 0));
  });

  it('dawnflow inspect --plan --devices 3 prints the same plan', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { inspectCommand } = await import('../../bin/commands/inspect.js');
    const file = join(mkdtempSync(join(tmpdir(), 'dawnflow-devices-')), 'cnn.onnx');
    writeFileSync(file, cnnOnnx());
    const lines: string[] = [];
    await inspectCommand([file, '--plan', '--devices', '3', '--dim', `batch=${BATCH}`], { print: (l) => lines.push(l), info: () => {} });
    const expected = formatPipelinePlan(compileInferencePipeline(importOnnx(cnnOnnx()).graph, { stages: 3, dims: { batch: BATCH } }));
    expect(lines.join('\n')).toBe(expected);
    expect(expected.split('\n').filter((l) => l.startsWith('stage '))).toHaveLength(3);
    await expect(inspectCommand([file, '--plan', '--devices', 'two'], { print: () => {}, info: () => {} })).rejects.toThrow('inspect: --devices two must be a positive integer');
  });

  it('refuses a split whose stages cannot fit the device memory', () => {
    const graph = importOnnx(cnnOnnx()).graph;
    expect(() => compileInferencePipeline(graph, { stages: 2, dims: { batch: BATCH }, deviceMemory: 100_000 })).toThrow(OutOfMemoryError);
    expect(() => compileInferencePipeline(graph, { stages: 2, dims: { batch: BATCH }, deviceMemory: 100_000 })).toThrow(/no split into 2 stages fits 100000 bytes per device/);
  });
});

