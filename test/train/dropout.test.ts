import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { hostTensor } from '../../ir/index.js';
import { nn, Trace } from '../../compiler/dsl/index.js';
import { RANDOM_KEY_INPUT } from '../../compiler/onnx/context.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';
import { F32, modelBytes, node, tensor, valueInfo } from '../onnx/helpers/onnx_builder.js';

function dropoutGraph(mode: 'train' | 'eval', seed: number) {
  const t = new Trace('dropout', { mode, seed });
  const layer = new nn.Dropout(0.3);
  t.output(layer.call(layer.call(t.input('x', 'f32', [4, 257]))), 'y');
  return t.graph;
}

const ones = hostTensor('f32', [4, 257], new Array(4 * 257).fill(1));
const run = (seed: number, step = 0): HostTensor => {
  const graph = dropoutGraph('train', seed);
  const states = new Map([...graph.states.keys()].map((v) => [v, hostTensor('u32', [], [step])] as const));
  return interpret(graph, { x: ones }, { states }).outputs.y;
};

describe('dropout', () => {
  it('keeps about 1-p of the elements, scaled by 1/(1-p), two layers drawing independent masks', () => {
    const y = [...run(1).data];
    const scale = 1 / 0.7 ** 2;
    // Two dropouts in a row: survivors of both are scaled twice.
    for (const v of y) expect(v === 0 || Math.abs(v - scale) < 1e-5).toBe(true);
    const kept = y.filter((v) => v !== 0).length / y.length;
    // 0.49 expected; 1028 draws give a standard deviation of 0.016.
    expect(Math.abs(kept - 0.49)).toBeLessThan(0.06);
  });

  it('is deterministic per seed and step, and differs across seeds and steps', () => {
    expect([...run(1).data]).toEqual([...run(1).data]);
    expect([...run(1).data]).not.toEqual([...run(2).data]);
    expect([...run(1, 0).data]).not.toEqual([...run(1, 1).data]);
  });

  it('is off in evaluation mode', () => {
    const graph = dropoutGraph('eval', 1);
    expect(graph.nodes.some((n) => n.op === 'randomUniform')).toBe(false);
    expect([...interpret(graph, { x: ones }).outputs.y.data]).toEqual([...ones.data]);
  });

  it('is the lowering ONNX Dropout imported for training uses: same kept elements, same scale, its mask saying which', () => {
    const shape = [3, 50];
    // No zeros in x: an output of 0 is a dropped element.
    const x = randomTensor('f32', shape, 4, 0.5, 2);
    const seed = 9;
    const t = new Trace('dsl', { mode: 'train', seed });
    t.output(new nn.Dropout(0.3).call(t.input('x', 'f32', shape)), 'y');
    const dsl = interpret(t.graph, { x }).outputs.y;

    const bytes = modelBytes({
      opset: 13,
      name: 'dropout',
      inputs: [valueInfo('x', F32, shape)],
      outputs: [valueInfo('y', F32, shape), valueInfo('mask', 9, shape)],
      initializers: [tensor('ratio', [], [0.3])],
      nodes: [node('Dropout', ['x', 'ratio'], ['y', 'mask'])],
    });
    const { graph } = importOnnx(bytes, { training: { batchNorm: () => false } });
    // The DSL's key at step 0 is (seed, 0).
    const onnx = interpret(graph, { x, [RANDOM_KEY_INPUT]: hostTensor('u32', [2], [seed, 0]) }).outputs;
    expect([...onnx.y.data]).toEqual([...dsl.data]);
    const kept = [...dsl.data].map((v) => (v !== 0 ? 1 : 0));
    expect(new Set(kept).size).toBe(2);
    expect([...onnx.mask.data]).toEqual(kept);
    [...dsl.data].forEach((v, i) => expect(v === 0 || Math.abs(v - (x.data[i] as number) / 0.7) <= 1e-6 * v).toBe(true));
  });

  it('draws the same mask on the GPU as in the reference', async () => {
    const graph = dropoutGraph('train', 77);
    const expected = interpret(graph, { x: ones }).outputs.y;
    const actual = await runOnGpu(graph, { x: ones });
    expectClose(actual.y, expected, { rtol: 0, atol: 0 }, 'dropout mask');
  });
});
