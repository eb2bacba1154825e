import type { DType } from '../../ir/index.js';
import { UnsupportedOpError } from '../../ir/index.js';
import { OnnxType, onnxTypeName } from './proto.js';

/**
 * How ONNX element types map onto dawnflow's device types. The device computes in 32 bits:
 *
 * - FLOAT, DOUBLE, FLOAT16, BFLOAT16 → f32 (doubles and halves are converted; the f32 result is
 *   compared against their references with the usual float tolerances)
 * - INT64, INT32, INT16, INT8, UINT16, UINT8 → i32 (int64 constants are range-checked; narrow
 *   integer types widen, so arithmetic on them does not wrap at their own width)
 * - UINT32, UINT64 → u32 (uint64 range-checked)
 * - BOOL → bool
 * - STRING, COMPLEX64, COMPLEX128 → unsupported
 */
export function dtypeOfOnnx(code: number, where: string): DType {
  switch (code) {
    case OnnxType.FLOAT:
    case OnnxType.DOUBLE:
    case OnnxType.FLOAT16:
    case OnnxType.BFLOAT16:
      return 'f32';
    case OnnxType.INT64:
    case OnnxType.INT32:
    case OnnxType.INT16:
    case OnnxType.INT8:
    case OnnxType.UINT16:
    case OnnxType.UINT8:
      return 'i32';
    case OnnxType.UINT32:
    case OnnxType.UINT64:
      return 'u32';
    case OnnxType.BOOL:
      return 'bool';
    default:
      throw new UnsupportedOpError(`${where}: element type ${onnxTypeName(code)} is not supported`);
  }
}

/** The ONNX type a dawnflow dtype is written back as (outputs, exported models). */
export function onnxTypeOf(dtype: DType): number {
  switch (dtype) {
    case 'f32':
      return OnnxType.FLOAT;
    case 'f16':
      return OnnxType.FLOAT16;
    case 'i32':
      return OnnxType.INT32;
    case 'u32':
      return OnnxType.UINT32;
    case 'bool':
      return OnnxType.BOOL;
    default:
      return dtype satisfies never;
  }
}

/** Inclusive integer range of an ONNX integer type (doubles are exact for all but 64-bit ends). */
export function onnxIntRange(code: number): readonly [number, number] | undefined {
  switch (code) {
    case OnnxType.INT8:
      return [-128, 127];
    case OnnxType.UINT8:
      return [0, 255];
    case OnnxType.INT16:
      return [-32768, 32767];
    case OnnxType.UINT16:
      return [0, 65535];
    case OnnxType.INT32:
      return [-2147483648, 2147483647];
    case OnnxType.UINT32:
      return [0, 4294967295];
    case OnnxType.INT64:
      return [-(2 ** 63), 2 ** 63 - 1];
    case OnnxType.UINT64:
      return [0, 2 ** 64 - 1];
    default:
      return undefined;
  }
}

/** The inclusive range a dawnflow integer dtype holds. */
export function dtypeRange(dtype: DType): readonly [number, number] | undefined {
  if (dtype === 'i32') return [-2147483648, 2147483647];
  if (dtype === 'u32') return [0, 4294967295];
  return undefined;
}
