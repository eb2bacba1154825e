import type { DType, TensorData } from '../../ir/index.js';
import { allocHost } from '../../ir/index.js';

/**
 * Fresh host storage for a reference kernel's result: floats as f64 while computing (the
 * interpreter rounds them to their dtype when it stores the result), other dtypes as their own
 * host array.
 */
export function scratch(dtype: DType, length: number): TensorData {
  return dtype === 'f32' || dtype === 'f16' ? new Float64Array(length) : allocHost(dtype, length);
}
