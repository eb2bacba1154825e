import type { HostTensor } from '../../../ir/index.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import type { OnnxImportOptions } from '../../../compiler/onnx/import.js';
import { interpret } from '../../../targets/reference/interpreter.js';
import type { AttrInput, ModelSpec } from './onnx_builder.js';
import { F32, modelBytes, node, valueInfo } from './onnx_builder.js';

/** Imports a hand-built model and runs it on the reference interpreter. */
export function runReference(spec: ModelSpec, inputs: Record<string, HostTensor>, options: OnnxImportOptions = {}): Record<string, HostTensor> {
  const { graph } = importOnnx(modelBytes(spec), options);
  return interpret(graph, inputs).outputs;
}

export function f32(shape: readonly number[], values: ArrayLike<number>): HostTensor {
  return { dtype: 'f32', shape: [...shape], data: Float32Array.from(values) };
}

export function i32(shape: readonly number[], values: ArrayLike<number>): HostTensor {
  return { dtype: 'i32', shape: [...shape], data: Int32Array.from(values) };
}

/**
 * One ONNX node over f32 input `x` (plus initializers), at an opset; returns output `y`'s
 * shape and values. Output shapes are left undeclared: the importer infers them.
 */
export function runNode(
  opset: number,
  opType: string,
  x: HostTensor,
  attrs: Record<string, AttrInput> = {},
  extra: { inputs?: string[]; initializers?: ModelSpec['initializers']; outputs?: string[] } = {},
): { shape: number[]; values: number[]; all: Record<string, HostTensor> } {
  const outputs = extra.outputs ?? ['y'];
  const spec: ModelSpec = {
    opset,
    nodes: [node(opType, ['x', ...(extra.inputs ?? [])], outputs, attrs)],
    inputs: [valueInfo('x', F32, x.shape)],
    outputs: outputs.filter((o) => o !== '').map((o) => ({ name: o })),
    initializers: extra.initializers,
  };
  const all = runReference(spec, { x });
  const y = all[outputs[0]];
  return { shape: [...y.shape], values: Array.from(y.data as ArrayLike<number>, Number), all };
}

export const iota = (n: number, start = 0) => Array.from({ length: n }, (_, i) => start + i);
