import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { inspectPlan } from '../../compiler/report/plan_report.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';
import { resnetStyleCnn, transformerBlock } from './builders.js';

/** The optimizing compiler's targets: kernel counts for known patterns, memory on whole models. */
describe('fusion and memory on whole models', () => {
  it('a decomposed LayerNorm from an exporter is at most 2 kernels; decomposed softmax too', () => {
    for (const make of ['layerNorm', 'softmax'] as const) {
      const b = new GraphBuilder();
      const x = b.input('x', 'f32', [8, 64]);
      const two = b.constant(hostTensor('f32', [], [2]));
      if (make === 'layerNorm') {
        const mean = b.op('reduceMean', [x], { axes: [-1], keepdims: true });
        const d = b.op('sub', [x, mean]);
        const v = b.op('reduceMean', [b.op('pow', [d, two])], { axes: [-1], keepdims: true });
        b.output(b.op('div', [d, b.op('sqrt', [b.op('add', [v, b.constant(hostTensor('f32', [], [1e-5]))])])]), 'y');
      } else {
        const e = b.op('exp', [b.op('sub', [x, b.op('reduceMax', [x], { axes: [-1], keepdims: true })])]);
        b.output(b.op('div', [e, b.op('reduceSum', [e], { axes: [-1], keepdims: true })]), 'y');
      }
      const { summary } = inspectPlan(b.graph);
      expect(summary.kernels, make).toBeLessThanOrEqual(2);
      // Without pattern recognition and fusion, the same graph is one kernel per op.
      expect(compile(b.graph, { fusion: false, disablePasses: 'all' }).steps.length, make).toBeGreaterThanOrEqual(5);
    }
  });

  const models = [
    ['ResNet-style CNN', () => resnetStyleCnn(1, 16), 'image', [1, 3, 16, 16]],
    ['transformer decoder block', () => transformerBlock(), 'x', [16, 32]],
  ] as const;

  // Whole models: the first run JIT-compiles every kernel on lavapipe, slow on a loaded machine.
  it.each(models)('%s: arena ≤ 1.10 × lower bound and ≤ 0.5 × naive; matches the reference', { timeout: 400_000 }, async (name, build, input, shape) => {
    const graph = build();
    const { summary } = inspectPlan(graph);
    const m = summary.memory;
    console.log(`${name}: ${summary.kernels} kernels (${summary.kernelsUnfused} unfused); naive ${m.naiveBytes} B, arena ${m.arenaBytes} B, lower bound ${m.lowerBoundBytes} B`);
    expect(m.arenaBytes).toBeLessThanOrEqual(1.1 * m.lowerBoundBytes);
    expect(m.arenaBytes).toBeLessThanOrEqual(0.5 * m.naiveBytes);
    expect(summary.kernels).toBeLessThan(summary.kernelsUnfused);
    const inputs = { [input]: randomTensor('f32', shape, 5) };
    const expected = interpret(graph, inputs).outputList[0];
    const actual = Object.values(await runOnGpu(graph, inputs))[0];
    expectClose(actual, expected, { rtol: 1e-3, atol: 1e-4 });
  });
});
