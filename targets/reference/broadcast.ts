import type { StaticShape } from '../../ir/index.js';
import { numel, stridesOf } from '../../ir/index.js';

/**
 * For each element of `outShape`, the flat index of the corresponding element of an input of
 * `inShape` under numpy broadcasting.
 */
export function broadcastIndex(inShape: StaticShape, outShape: StaticShape): Int32Array {
  const n = numel(outShape);
  const index = new Int32Array(n);
  const inStrides = stridesOf(inShape);
  const offset = outShape.length - inShape.length;
  const coord = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let flat = 0;
    for (let d = 0; d < inShape.length; d++) {
      if (inShape[d] !== 1) flat += coord[d + offset] * inStrides[d];
    }
    index[i] = flat;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return index;
}
