import { describe, expect, it } from 'vitest';
import type { HostTensor, StaticShape } from '../../ir/index.js';
import { DTypeError, GraphBuilder, hostTensor, ShapeError } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

describe('layerNorm op', () => {
  it('reference matches a hand computation, biased variance, scale and bias broadcast', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 4]);
    const scale = b.constant(hostTensor('f32', [4], [1, 2, 3, 4]), 'g');
    const bias = b.constant(hostTensor('f32', [1], [0.5]), 'b');
    b.output(b.op('layerNorm', [x, scale, bias], { epsilon: 0 }, 'ln'));
    // Row [1,2,3,4]: mean 2.5, variance 1.25; row [2,2,2,6]: mean 3, variance 3.
    const out = interpret(b.graph, { x: hostTensor('f32', [2, 4], [1, 2, 3, 4, 2, 2, 2, 6]) }).outputs.ln;
    const r1 = [-1.5, -0.5, 0.5, 1.5].map((d, i) => (d / Math.sqrt(1.25)) * (i + 1) + 0.5);
    const r2 = [-1, -1, -1, 3].map((d, i) => (d / Math.sqrt(3)) * (i + 1) + 0.5);
    expectClose(out, hostTensor('f32', [2, 4], [...r1, ...r2]), { rtol: 1e-6, atol: 1e-6 });
  });

  it('checks its operands', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3, 4]);
    expect(() => b.op('layerNorm', [x, b.input('g', 'f32', [3, 1, 4])], { axis: 1 }, 'ln')).toThrowError(ShapeError);
    expect(() => b.op('layerNorm', [x, b.input('g2', 'f32', [5])], {}, 'ln2')).toThrowError(/layerNorm 'ln2': scale \[5\]/);
    expect(() => b.op('layerNorm', [b.input('i', 'i32', [4])], {}, 'ln3')).toThrowError(DTypeError);
    expect(b.op('layerNorm', [x, b.input('g3', 'f32', [3, 1])], { axis: 1 }, 'ln4').type.shape).toEqual([2, 3, 4]);
  });

  const cases: [string, StaticShape, number, StaticShape | null, StaticShape | null][] = [
    ['last axis, full scale and bias', [3, 17], -1, [17], [17]],
    ['two axes, broadcast scale, no bias', [2, 3, 5], 1, [5], null],
    ['size-1 rows', [4, 1], -1, [1], [1]],
    ['no scale', [1, 3, 1], -2, null, null],
    ['long rows', [3, 1025], -1, [1025], [1]],
  ];
  it.each(cases)('GPU matches the reference: %s', async (_label, shape, axis, scaleShape, biasShape) => {
    const b = new GraphBuilder();
    const inputs: Record<string, HostTensor> = { x: randomTensor('f32', shape, shape.length * 31 + shape[0], -3, 5) };
    const operands = [b.input('x', 'f32', shape)];
    if (scaleShape) {
      inputs.g = randomTensor('f32', scaleShape, 7);
      operands.push(b.input('g', 'f32', scaleShape));
    }
    if (biasShape) {
      inputs.bias = randomTensor('f32', biasShape, 8);
      operands.push(b.input('bias', 'f32', biasShape));
    }
    const ln = b.op('layerNorm', operands, { axis, epsilon: 1e-5 }, 'ln');
    b.output(ln);
    // A consumer reading the result: the row statistics fuse into it.
    b.output(b.op('mul', [ln, ln], {}, 'squared'));
    const expected = interpret(b.graph, inputs).outputs;
    const actual = await runOnGpu(b.graph, inputs);
    for (const name of ['ln', 'squared']) expectClose(actual[name], expected[name], { rtol: 1e-4, atol: 1e-5 }, name);
  });
});
