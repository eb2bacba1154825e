import type { HostTensor } from '../../../ir/index.js';
import { normalizeAxis, numel } from '../../../ir/index.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';

/**
 * The total order of topK and hardmax: NaN above every number, equal values by index with the
 * lower index first. `precedes` says whether (a at ia) comes before (b at ib) in the output.
 */
export function precedes(a: number, ia: number, b: number, ib: number, largest: boolean): boolean {
  const greater = (x: number, y: number) => (Number.isNaN(x) && !Number.isNaN(y)) || x > y;
  if (largest ? greater(a, b) : greater(b, a)) return true;
  const same = a === b || (Number.isNaN(a) && Number.isNaN(b));
  return same && ia < ib;
}

/** Calls `row(base, stride)` for every 1-D row of `x` along `axis`. */
function forEachRow(x: HostTensor, axis: number, row: (base: number, stride: number, outer: number, inner: number) => void): void {
  const inner = numel(x.shape.slice(axis + 1));
  const outer = numel(x.shape.slice(0, axis));
  const n = x.shape[axis];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) row(o * n * inner + i, inner, o, i);
}

registerRef('topK', ([x], { node, outputs, where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const k = node.attrs.k as number;
  const largest = node.attrs.largest as boolean;
  const n = x.shape[axis];
  const [valuesType, indicesType] = outputs;
  const values = scratch(valuesType.dtype, numel(valuesType.shape));
  const indices = new Int32Array(numel(indicesType.shape));
  forEachRow(x, axis, (base, stride, o, i) => {
    const order = Array.from({ length: n }, (_, j) => j);
    const at = (j: number) => x.data[base + j * stride];
    order.sort((p, q) => (precedes(at(p), p, at(q), q, largest) ? -1 : 1));
    for (let j = 0; j < k; j++) {
      const dst = (o * k + j) * stride + i;
      values[dst] = at(order[j]);
      indices[dst] = order[j];
    }
  });
  return [
    { dtype: valuesType.dtype, shape: valuesType.shape, data: values },
    { dtype: 'i32', shape: indicesType.shape, data: indices },
  ];
});

registerRef('hardmax', ([x], { node, outputs, where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const n = x.shape[axis];
  const result = scratch(x.dtype, x.data.length);
  forEachRow(x, axis, (base, stride) => {
    let best = 0;
    for (let j = 1; j < n; j++) if (precedes(x.data[base + j * stride], j, x.data[base + best * stride], best, true)) best = j;
    if (n > 0) result[base + best * stride] = 1;
  });
  return [{ dtype: outputs[0].dtype, shape: outputs[0].shape, data: result }];
});
