import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/** Softmax-like anchors run one invocation per row, statistics computed once per row. */
describe('row template', () => {
  const cases: [StaticShape, number][] = [
    [[5, 1025], -1],
    [[3, 17, 4], 1],
    [[1, 1], 0],
    [[2, 3, 5, 7], 2],
  ];
  it.each(cases)('softmax and logSoftmax of %j on axis %i, with a fused epilogue', async (shape, axis) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', shape);
    const scale = b.input('s', 'f32', shape);
    b.output(b.op('mul', [b.op('softmax', [x], { axis }), scale]), 'p');
    b.output(b.op('neg', [b.op('logSoftmax', [x], { axis })]), 'nll');
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', shape, 1, -5, 5), s: randomTensor('f32', shape, 2) };
    const expected = interpret(b.graph, inputs).outputs;
    const actual = await runOnGpu(b.graph, inputs);
    expectClose(actual.p, expected.p, { rtol: 1e-5, atol: 1e-6 });
    expectClose(actual.nll, expected.nll, { rtol: 1e-5, atol: 1e-5 });
  });

  it('one invocation per row: the row loop is in the kernel and the statistics are outside it', () => {
    const b = new GraphBuilder();
    b.output(b.op('softmax', [b.input('x', 'f32', [64, 1000])], { axis: -1 }), 'y');
    const plan = compile(b.graph);
    expect(plan.steps[0].dispatch).toEqual([1, 1, 1]);
    const wgsl = plan.kernels[0].wgsl;
    // Two statistics loops and one row loop, not one loop nest per element.
    expect(wgsl.match(/for \(/g)).toHaveLength(3);
  });
});
