import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/onnx/import.js';
import { OnnxType } from '../../compiler/onnx/proto.js';
import type { TensorProto } from '../../compiler/onnx/proto.js';
import { DTypeError, ModelFormatError } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { F32, I64, int64s, modelBytes, node, tensor, valueInfo } from './helpers/onnx_builder.js';

/** y = x + w with w an initializer in some storage form; returns y for x = zeros. */
function addInitializer(w: TensorProto, options: { baseDir?: string } = {}): number[] {
  const shape = (w.dims ?? []).map(Number);
  const bytes = modelBytes({
    nodes: [node('Cast', ['w'], ['wf'], { to: OnnxType.FLOAT }), node('Add', ['x', 'wf'], ['y'])],
    inputs: [valueInfo('x', F32, shape)],
    outputs: [valueInfo('y', F32, shape)],
    initializers: [{ ...w, name: 'w' }],
  });
  const { graph } = importOnnx(bytes, options);
  const x = { dtype: 'f32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
  return Array.from(interpret(graph, { x }).outputs.y.data as Float32Array);
}

describe('initializer storage forms', () => {
  it('reads float_data and raw_data floats', () => {
    expect(addInitializer({ dataType: OnnxType.FLOAT, dims: [3], floatData: [1.5, -2, 3.25] })).toEqual([1.5, -2, 3.25]);
    expect(addInitializer(tensor('w', [2, 2], [1, 2, 3, 4]))).toEqual([1, 2, 3, 4]);
  });

  it('reads doubles (typed and raw) as f32', () => {
    expect(addInitializer({ dataType: OnnxType.DOUBLE, dims: [2], doubleData: [0.1, -1e10] })).toEqual([Math.fround(0.1), Math.fround(-1e10)]);
    expect(addInitializer(tensor('w', [2], [0.25, 7], OnnxType.DOUBLE))).toEqual([0.25, 7]);
  });

  it('reads narrow integers and bools from int32_data and raw_data', () => {
    expect(addInitializer({ dataType: OnnxType.INT8, dims: [3], int32Data: [-128, 0, 127] })).toEqual([-128, 0, 127]);
    expect(addInitializer({ dataType: OnnxType.UINT8, dims: [2], int32Data: [0, 255] })).toEqual([0, 255]);
    expect(addInitializer({ dataType: OnnxType.INT16, dims: [2], int32Data: [-32768, 32767] })).toEqual([-32768, 32767]);
    expect(addInitializer({ dataType: OnnxType.UINT16, dims: [1], int32Data: [65535] })).toEqual([65535]);
    expect(addInitializer({ dataType: OnnxType.BOOL, dims: [3], int32Data: [1, 0, 1] })).toEqual([1, 0, 1]);
    expect(addInitializer(tensor('w', [3], [200, 3, 0], OnnxType.UINT8))).toEqual([200, 3, 0]);
    expect(addInitializer(tensor('w', [2], [-5, 9], OnnxType.INT16))).toEqual([-5, 9]);
  });

  it('reads int64 (int64_data and raw) and uint32/uint64 (uint64_data)', () => {
    expect(addInitializer({ dataType: OnnxType.INT64, dims: [2], int64Data: [-7, 16777216] })).toEqual([-7, 16777216]);
    expect(addInitializer(int64s('w', [-2147483648, 5]))).toEqual([-2147483648, 5]);
    expect(addInitializer({ dataType: OnnxType.UINT32, dims: [1], uint64Data: [4000000000] })).toEqual([4000000000]);
    expect(addInitializer({ dataType: OnnxType.UINT64, dims: [1], uint64Data: [12] })).toEqual([12]);
  });

  it('reads float16 bit patterns (int32_data) as f32', () => {
    // 0x3c00 = 1, 0xc100 = -2.5, 0x3555 = 0.333251953125, 0x7c00 = +inf, 0x0001 = 2^-24
    expect(addInitializer({ dataType: OnnxType.FLOAT16, dims: [5], int32Data: [0x3c00, 0xc100, 0x3555, 0x7c00, 0x0001] })).toEqual([1, -2.5, 0.333251953125, Infinity, 2 ** -24]);
  });

  it('reads external data relative to baseDir, honouring offset and length', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawnflow-ext-'));
    const bytes = new Uint8Array(8 + 12);
    const view = new DataView(bytes.buffer);
    [0.5, -1, 8].forEach((v, i) => view.setFloat32(8 + 4 * i, v, true));
    writeFileSync(join(dir, 'weights.bin'), bytes);
    const external = (entries: Record<string, string>): TensorProto => ({
      dataType: OnnxType.FLOAT,
      dims: [3],
      dataLocation: 1,
      externalData: Object.entries(entries).map(([key, value]) => ({ key, value })),
    });
    expect(addInitializer(external({ location: 'weights.bin', offset: '8', length: '12' }), { baseDir: dir })).toEqual([0.5, -1, 8]);
    expect(() => addInitializer(external({ location: 'weights.bin', offset: '8' }))).toThrow(/baseDir/);
    expect(() => addInitializer(external({ location: '../etc/passwd' }), { baseDir: dir })).toThrow(/outside the model's directory/);
    expect(() => addInitializer(external({ location: 'missing.bin' }), { baseDir: dir })).toThrow(/initializer 'w'.*cannot open/);
    expect(() => addInitializer(external({ location: 'weights.bin', offset: '12', length: '12' }), { baseDir: dir })).toThrow(ModelFormatError);
  });
});

describe('initializer errors', () => {
  it('rejects raw_data or typed data that does not match the dims, naming the initializer', () => {
    const raw = tensor('w', [4], [1, 2, 3, 4]);
    const short: TensorProto = { ...raw, dims: [5] };
    expect(() => addInitializer(short)).toThrow(ModelFormatError);
    expect(() => addInitializer(short)).toThrow(/initializer 'w': raw_data has 16 bytes.*need 20/);
    expect(() => addInitializer({ dataType: OnnxType.FLOAT, dims: [3], floatData: [1, 2] })).toThrow(/initializer 'w': holds 2 values, dims \[3\] need 3/);
    expect(() => addInitializer({ dataType: OnnxType.FLOAT, dims: [-1], floatData: [] })).toThrow(/invalid dim -1/);
  });

  it('range-checks int64 data that reaches the device, naming the tensor', () => {
    const big = int64s('w', [1, 2 ** 40]);
    expect(() => addInitializer(big)).toThrow(DTypeError);
    expect(() => addInitializer(big)).toThrow(/initializer 'w': INT64 value 1099511627776 does not fit in i32/);
  });

  it('accepts INT64_MAX where it is a parameter (Slice ends), not data', () => {
    const bytes = modelBytes({
      nodes: [node('Slice', ['x', 'starts', 'ends'], ['y'])],
      inputs: [valueInfo('x', F32, [5])],
      outputs: [valueInfo('y', F32, [4])],
      initializers: [int64s('starts', [1]), { ...int64s('ends', [0]), rawData: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]) }],
    });
    const { graph } = importOnnx(bytes);
    const x = { dtype: 'f32' as const, shape: [5], data: Float32Array.from([10, 11, 12, 13, 14]) };
    expect(Array.from(interpret(graph, { x }).outputs.y.data)).toEqual([11, 12, 13, 14]);
    expect(graph.constants.size).toBe(0);
  });

  it('treats an initializer also listed as a graph input as a constant', () => {
    const bytes = modelBytes({
      nodes: [node('Mul', ['x', 'w'], ['y'])],
      inputs: [valueInfo('x', F32, [2]), valueInfo('w', F32, [2])],
      outputs: [valueInfo('y', F32, [2])],
      initializers: [tensor('w', [2], [3, -4])],
    });
    const imported = importOnnx(bytes);
    expect(imported.inputs.map((i) => i.name)).toEqual(['x']);
    expect(imported.graph.inputs.map((v) => v.name)).toEqual(['x']);
    const y = interpret(imported.graph, { x: { dtype: 'f32', shape: [2], data: Float32Array.from([2, 0.5]) } }).outputs.y;
    expect(Array.from(y.data)).toEqual([6, -2]);
  });

  it('maps int64 graph inputs and outputs to i32 and remembers their ONNX type', () => {
    const bytes = modelBytes({ nodes: [node('Neg', ['x'], ['y'])], inputs: [valueInfo('x', I64, [2])], outputs: [valueInfo('y', I64, [2])] });
    const imported = importOnnx(bytes);
    expect(imported.graph.inputs[0].type).toEqual({ dtype: 'i32', shape: [2] });
    expect(imported.outputs[0]).toMatchObject({ name: 'y', dtype: 'i32', onnxType: OnnxType.INT64 });
  });
});
