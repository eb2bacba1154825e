import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/onnx/import.js';
import type { ValueInfoProto } from '../../compiler/onnx/proto.js';
import { ModelFormatError } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { thrown } from '../helpers/errors.js';
import type { ModelSpec } from './helpers/onnx_builder.js';
import { BOOL, F32, I64, modelBytes, node, tensor, valueInfo } from './helpers/onnx_builder.js';
import { f32 } from './helpers/run_reference.js';

/**
 * Declarations that contradict each other — a graph input's declared type against its
 * initializer, a value_info entry against the type the importer infers, a declared graph output
 * against what the graph computes — are a ModelFormatError naming the value and both types.
 * Symbolic and unknown dims contradict nothing (the rule is in compiler/onnx/declared_types.ts).
 */

const INT32 = 6;
const DOUBLE = 11;

/** A value_info with one unknown dim (neither dim_value nor dim_param) between known ones. */
function withUnknownDim(name: string, elemType: number, before: readonly number[], after: readonly number[]): ValueInfoProto {
  const dim = [...before.map((d) => ({ dimValue: d })), {}, ...after.map((d) => ({ dimValue: d }))];
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

async function refusal(spec: ModelSpec): Promise<string> {
  const error = await thrown(() => importOnnx(modelBytes(spec)));
  expect(error).toBeInstanceOf(ModelFormatError);
  return error.message;
}

describe('a graph input against its initializer', () => {
  // x + w, where w is both a declared input and an initializer of shape [2, 3].
  const model = (declaredW: ValueInfoProto, type: number = F32): ModelSpec => ({
    nodes: [node('Add', ['x', 'w'], ['y'])],
    inputs: [valueInfo('x', F32, [2, 3]), declaredW],
    outputs: [{ name: 'y' }],
    initializers: [tensor('w', [2, 3], [1, 2, 3, 4, 5, 6], type)],
  });

  it('refuses a different shape, rank or element type, naming both', async () => {
    expect(await refusal(model(valueInfo('w', F32, [3, 2])))).toBe("input 'w' declares FLOAT[3,2], but its initializer holds FLOAT[2,3]");
    expect(await refusal(model(valueInfo('w', F32, [6])))).toBe("input 'w' declares FLOAT[6], but its initializer holds FLOAT[2,3]");
    expect(await refusal(model(valueInfo('w', F32, [])))).toBe("input 'w' declares FLOAT[], but its initializer holds FLOAT[2,3]");
    // Both held as f32 on the device, but the model says FLOAT where the data is DOUBLE.
    expect(await refusal(model(valueInfo('w', F32, [2, 3]), DOUBLE))).toBe("input 'w' declares FLOAT[2,3], but its initializer holds DOUBLE[2,3]");
  });

  it('takes symbolic, unknown and missing dims, and the same type', () => {
    for (const declared of [valueInfo('w', F32, [2, 3]), valueInfo('w', F32, ['N', 3]), withUnknownDim('w', F32, [2], []), valueInfo('w', F32, null)]) {
      const { graph } = importOnnx(modelBytes(model(declared)));
      const y = interpret(graph, { x: f32([2, 3], [0, 0, 0, 1, 1, 1]) }).outputs.y;
      expect(Array.from(y.data)).toEqual([1, 2, 3, 5, 6, 7]);
    }
  });
});

describe('value_info against the inferred type', () => {
  // h = MatMul(x [B, 4], w [4, 3]) : [B, 3]; y = Relu(h).
  const model = (info: ValueInfoProto, xShape: readonly (number | string)[] = ['B', 4]): ModelSpec => ({
    nodes: [node('MatMul', ['x', 'w'], ['h']), node('Relu', ['h'], ['y'])],
    inputs: [valueInfo('x', F32, xShape)],
    outputs: [{ name: 'y' }],
    initializers: [tensor('w', [4, 3], new Array(12).fill(0.5))],
    valueInfo: [info],
  });

  it('refuses a size, rank or element type the graph does not compute, naming both', async () => {
    expect(await refusal(model(valueInfo('h', F32, [2, 5]), [2, 4]))).toBe("value_info 'h' declares FLOAT[2,5], but the graph computes f32[2,3]");
    expect(await refusal(model(valueInfo('h', F32, ['B', 5])))).toBe("value_info 'h' declares FLOAT[B,5], but the graph computes f32[B,3]");
    expect(await refusal(model(valueInfo('h', F32, ['B'])))).toBe("value_info 'h' declares FLOAT[B], but the graph computes f32[B,3]");
    expect(await refusal(model(valueInfo('h', I64, ['B', 3])))).toBe("value_info 'h' declares INT64[B,3], but the graph computes f32[B,3]");
    expect(await refusal(model(valueInfo('h', BOOL, null)))).toBe("value_info 'h' declares BOOL (any shape), but the graph computes f32[B,3]");
  });

  it('takes a symbol for a size, a size for a symbol, two names for one dim, unknown dims and stale names', () => {
    const accepted = [
      model(valueInfo('h', F32, ['N', 3]), [2, 4]), // 'N' says N is 2 here
      model(valueInfo('h', F32, [7, 3])), // 7 may be what B stands for
      model(valueInfo('h', F32, ['batch', 3])), // 'batch' and 'B' may be one size
      model(withUnknownDim('h', F32, [], [3])),
      model(valueInfo('h', 0, [2, 3]), [2, 4]), // no element type: only the shape to compare
      model(valueInfo('not_in_graph', F32, [9, 9, 9])),
      model(valueInfo('h', DOUBLE, ['B', 3])), // DOUBLE is held as f32
    ];
    for (const spec of accepted) expect(() => importOnnx(modelBytes(spec))).not.toThrow();
  });
});

describe('a declared graph output against what the graph computes', () => {
  const model = (output: ValueInfoProto, op = 'Relu'): ModelSpec => ({
    nodes: [node(op, ['x'], ['y'])],
    inputs: [valueInfo('x', F32, [2, 3])],
    outputs: [output],
  });

  it('refuses a different shape, rank (a scalar included) or element type, naming both', async () => {
    expect(await refusal(model(valueInfo('y', F32, [2, 4])))).toBe("graph output 'y' declares FLOAT[2,4], but the graph computes f32[2,3]");
    expect(await refusal(model(valueInfo('y', F32, [])))).toBe("graph output 'y' declares FLOAT[], but the graph computes f32[2,3]");
    expect(await refusal(model(valueInfo('y', BOOL, [2, 3])))).toBe("graph output 'y' declares BOOL[2,3], but the graph computes f32[2,3]");
    expect(await refusal(model(valueInfo('y', F32, [2, 3]), 'IsNaN'))).toBe("graph output 'y' declares FLOAT[2,3], but the graph computes bool[2,3]");
  });

  it('takes a matching declaration, symbols, unknown dims and no shape; int64 and int32 are both i32', () => {
    for (const output of [valueInfo('y', F32, [2, 3]), valueInfo('y', F32, ['a', 'b']), withUnknownDim('y', F32, [2], []), valueInfo('y', F32, null), valueInfo('y', DOUBLE, [2, 3])]) {
      expect(importOnnx(modelBytes(model(output))).outputs[0]).toMatchObject({ name: 'y', dtype: 'f32', shape: [2, 3] });
    }
    const shape = (elemType: number): ModelSpec => ({ nodes: [node('Shape', ['x'], ['y'])], inputs: [valueInfo('x', F32, [2, 3])], outputs: [valueInfo('y', elemType, [2])] });
    expect(importOnnx(modelBytes(shape(I64))).outputs[0]).toMatchObject({ dtype: 'i32', shape: [2] });
    expect(importOnnx(modelBytes(shape(INT32))).outputs[0]).toMatchObject({ dtype: 'i32', shape: [2] });
  });

  it('compares against the shapes the caller binds', async () => {
    const spec: ModelSpec = { nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', F32, ['N', 3])], outputs: [valueInfo('y', F32, [4, 3])] };
    expect(importOnnx(modelBytes(spec), { inputShapes: { x: [4, 3] } }).outputs[0].shape).toEqual([4, 3]);
    const error = await thrown(() => importOnnx(modelBytes(spec), { inputShapes: { x: [5, 3] } }));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toBe("graph output 'y' declares FLOAT[4,3], but the graph computes f32[5,3]");
  });
});
