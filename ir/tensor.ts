import type { DType, TensorData } from './dtype.js';
import { allocHost } from './dtype.js';
import type { Shape, StaticShape } from './shape.js';
import { numel } from './shape.js';

/** The static type of a value: dtype and (possibly symbolic) shape. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: Shape;
}

/** A tensor held in host memory, row-major. */
export interface HostTensor {
  readonly dtype: DType;
  readonly shape: StaticShape;
  readonly data: TensorData;
}

export function hostTensor(dtype: DType, shape: StaticShape, data?: TensorData | ArrayLike<number>): HostTensor {
  const n = numel(shape);
  const store = allocHost(dtype, n);
  if (data !== undefined) {
    if (data.length !== n) throw new RangeError(`hostTensor: ${data.length} values for shape [${shape.join(',')}] (${n} elements)`);
    for (let i = 0; i < n; i++) store[i] = Number(data[i]);
  }
  return { dtype, shape: [...shape], data: store };
}

export function formatType(t: TensorType): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}
