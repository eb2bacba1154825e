import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { Trace } from '../../compiler/dsl/trace.js';
import { GraphError, hostTensor } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { thrown } from '../helpers/errors.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';
import type { ModelSpec } from './helpers/onnx_builder.js';
import { F32, int64s, modelBytes, node, tensor, valueInfo } from './helpers/onnx_builder.js';

/**
 * Gathers and scatters clamp an out-of-range index on the device (no kernel reads out of
 * bounds); ONNX and the reference make it an error. A constant index out of range is known at
 * compile time and refused there, instead of every run computing a clamped answer. (Found by the
 * ONNX fuzz once its GPU runs were compared with the reference.)
 */

const model = (nodes: ModelSpec['nodes'], inits: ModelSpec['initializers'], x: readonly number[] = [3, 4]): ModelSpec => ({
  nodes,
  inputs: [valueInfo('x', F32, x)],
  outputs: [{ name: 'y' }],
  initializers: inits,
});

const compileModel = (spec: ModelSpec) => compile(importOnnx(modelBytes(spec)).graph);

describe('constant indices out of range', () => {
  it.each([
    ['Gather', [node('Gather', ['x', 'i'], ['y'], { axis: 1 })], [int64s('i', [0, -4, 4])], /gather 'y': constant index 4 \(element 2 of 'i'\) is out of range for axis 1 of size 4/],
    ['Gather, negative', [node('Gather', ['x', 'i'], ['y'])], [int64s('i', [-4])], /constant index -4 .* out of range for axis 0 of size 3/],
    ['GatherElements', [node('GatherElements', ['x', 'i'], ['y'], { axis: 0 })], [int64s('i', [0, 1, 2, 3], [1, 4])], /gatherElements 'y': constant index 3 \(element 3 of 'i'\) is out of range for axis 0 of size 3/],
    ['GatherND', [node('GatherND', ['x', 'i'], ['y'])], [int64s('i', [2, 3, 1, 4], [2, 2])], /gatherND 'y': constant index 4 \(element 3 of 'i'\) is out of range for axis 1 of size 4/],
    [
      'ScatterElements',
      [node('ScatterElements', ['x', 'i', 'u'], ['y'], { axis: 1 })],
      [int64s('i', [5], [1, 1]), tensor('u', [1, 1], [9])],
      /scatterElements 'y': constant index 5 .* out of range for axis 1 of size 4/,
    ],
    ['ScatterND', [node('ScatterND', ['x', 'i', 'u'], ['y'])], [int64s('i', [3], [1, 1]), tensor('u', [1, 4], [1, 2, 3, 4])], /scatterND 'y': constant index 3 .* out of range for axis 0 of size 3/],
  ] as const)('%s: a GraphError at compile time naming the node, the index and the axis', async (_name, nodes, inits, message) => {
    const error = await thrown(() => compileModel(model(nodes, inits)));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toMatch(message);
  });

  it('catches an index that only constant folding makes constant', async () => {
    // i = a + b = 2 + 2: folded at compile time into a constant 4, past axis 1 of size 4.
    const spec = model([node('Add', ['a', 'b'], ['i']), node('Gather', ['x', 'i'], ['y'], { axis: 1 })], [int64s('a', [2]), int64s('b', [2])]);
    const error = await thrown(() => compileModel(spec));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toMatch(/gather 'y': constant index 4 .* out of range for axis 1 of size 4/);
  });

  it('catches it when the data is constant too (folding leaves the node for the device)', async () => {
    // The importer evaluates a constant Gather itself and refuses it; a graph built directly
    // reaches compile() with it, where folding keeps the node it cannot evaluate.
    const spec: ModelSpec = { nodes: [node('Gather', ['d', 'i'], ['g']), node('Add', ['x', 'g'], ['y'])], inputs: [valueInfo('x', F32, [4])], outputs: [{ name: 'y' }], initializers: [tensor('d', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), int64s('i', [2], [])] };
    expect((await thrown(() => compileModel(spec))).message).toMatch(/gather 'g': index 2 is out of range/);
    const trace = new Trace('constant_gather');
    const x = trace.input('x', 'f32', [4]);
    const [g] = trace.emit('gather', [trace.constant(hostTensor('f32', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8])).value, trace.constant(hostTensor('i32', [], [2])).value], { axis: 0 });
    trace.output(x.add(trace.wrap(g)), 'y');
    const error = await thrown(() => compile(trace.graph));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toMatch(/constant index 2 .* out of range for axis 0 of size 2/);
  });

  it('accepts every index in [-dim, dim), and the GPU gives the reference answer', async () => {
    const spec = model([node('Gather', ['x', 'i'], ['y'], { axis: 1 })], [int64s('i', [-4, -1, 0, 3])]);
    const { graph } = importOnnx(modelBytes(spec));
    const x = randomTensor('f32', [3, 4], 5);
    const expected = interpret(graph, { x }).outputs;
    expect(Array.from(expected.y.data.slice(0, 4))).toEqual([x.data[0], x.data[3], x.data[0], x.data[3]]);
    expectClose((await runOnGpu(graph, { x })).y, expected.y, { rtol: 0, atol: 0 });
  });
});
