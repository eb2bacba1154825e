import { OnnxType } from '../compiler/onnx/proto.js';

/** The .npy descr of each ONNX element type .npy has: what `run` and `compile` write an ONNX model's outputs as. */
const NPY_OF_ONNX: Readonly<Record<number, string>> = {
  [OnnxType.FLOAT]: '<f4',
  [OnnxType.DOUBLE]: '<f8',
  [OnnxType.FLOAT16]: '<f2',
  [OnnxType.INT64]: '<i8',
  [OnnxType.INT32]: '<i4',
  [OnnxType.INT16]: '<i2',
  [OnnxType.INT8]: '|i1',
  [OnnxType.UINT8]: '|u1',
  [OnnxType.UINT16]: '<u2',
  [OnnxType.UINT32]: '<u4',
  [OnnxType.UINT64]: '<u8',
  [OnnxType.BOOL]: '|b1',
};

/** Undefined for element types .npy lacks (the output is then written in its computed dtype). */
export function npyDescrOfOnnx(onnxType: number): string | undefined {
  return NPY_OF_ONNX[onnxType];
}

/** Output name → .npy descr for a model's outputs (those whose element type .npy has). */
export function outputNpyTypes(outputs: readonly { readonly name: string; readonly onnxType: number }[]): Record<string, string> {
  return Object.fromEntries(outputs.flatMap((o) => {
    const descr = npyDescrOfOnnx(o.onnxType);
    return descr === undefined ? [] : [[o.name, descr]];
  }));
}
