import type { DType } from '../../../ir/index.js';
import { normalizeAxis, reducedAxes } from '../../../ir/index.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';
import { addFor, highestOf, lowestOf, mulFor, reductionPlan } from '../reduction_plan.js';

/**
 * Reductions, arg-reductions, softmax and cumSum on the host.
 *
 * Semantics shared with the WGSL lowerings (targets/wgsl/ops/reduce.ts), chosen to follow
 * numpy / ONNX where they agree:
 * - i32/u32 sums, products and cumSums wrap modulo 2³² like the device's integer arithmetic.
 * - reduceMean of integers is the wrapped integer sum divided by the count, truncated toward
 *   zero (WGSL's integer division; ONNX ReduceMean keeps the integer dtype).
 * - Over an empty set (a reduced dim of size 0): sum 0, prod 1, mean NaN for floats and 0 for
 *   integers, max the dtype's lowest value (-inf, -2³¹, 0), min its highest (+inf, 2³¹-1,
 *   2³²-1), argMax/argMin 0.
 * - reduceMax/reduceMin propagate NaN (numpy's max/min). argMax/argMin treat NaN as the
 *   winner, so the first NaN is chosen (numpy's argmax), or the last with selectLastIndex.
 * - softmax/logSoftmax subtract the max first, so large inputs do not overflow.
 */

type Combine = (acc: number, x: number) => number;

const maxNaN: Combine = (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
const minNaN: Combine = (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));

interface Reducer {
  init(dtype: DType): number;
  combine(dtype: DType): Combine;
  /** Turns the accumulated value of `count` elements into the result. */
  finish?(acc: number, count: number, dtype: DType): number;
}

function meanOf(sum: number, count: number, dtype: DType): number {
  if (dtype === 'i32' || dtype === 'u32') return count === 0 ? 0 : Math.trunc(sum / count);
  return sum / count;
}

const REDUCERS: Record<string, Reducer> = {
  reduceSum: { init: () => 0, combine: addFor },
  reduceMean: { init: () => 0, combine: addFor, finish: meanOf },
  reduceProd: { init: () => 1, combine: mulFor },
  reduceMax: { init: lowestOf, combine: () => maxNaN },
  reduceMin: { init: highestOf, combine: () => minNaN },
};

for (const [op, reducer] of Object.entries(REDUCERS)) {
  registerRef(op, ([x], { node, outputs, where }) => {
    const out = outputs[0];
    const axes = reducedAxes(x.shape.length, node.attrs.axes as number[], where);
    const { bases, offsets } = reductionPlan(x.shape, axes);
    const combine = reducer.combine(x.dtype);
    const data = scratch(out.dtype, bases.length);
    for (let k = 0; k < bases.length; k++) {
      let acc = reducer.init(x.dtype);
      for (const off of offsets) acc = combine(acc, x.data[bases[k] + off]);
      data[k] = reducer.finish ? reducer.finish(acc, offsets.length, x.dtype) : acc;
    }
    return [{ dtype: out.dtype, shape: out.shape, data }];
  });
}

/** Whether `x` at a later index replaces `best` (NaN wins; ties go to the first or the last). */
function argBeats(x: number, best: number, isMax: boolean, selectLast: boolean): boolean {
  const xNaN = Number.isNaN(x);
  const bestNaN = Number.isNaN(best);
  if (xNaN) return !bestNaN || selectLast;
  if (bestNaN) return false;
  if (x === best) return selectLast;
  return isMax ? x > best : x < best;
}

for (const op of ['argMax', 'argMin']) {
  registerRef(op, ([x], { node, outputs, where }) => {
    const out = outputs[0];
    const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
    const selectLast = node.attrs.selectLastIndex as boolean;
    const { bases, offsets } = reductionPlan(x.shape, [axis]);
    const data = scratch('i32', bases.length);
    for (let k = 0; k < bases.length; k++) {
      let bestIndex = 0;
      for (let j = 1; j < offsets.length; j++) {
        if (argBeats(x.data[bases[k] + offsets[j]], x.data[bases[k] + offsets[bestIndex]], op === 'argMax', selectLast)) bestIndex = j;
      }
      data[k] = bestIndex;
    }
    return [{ dtype: out.dtype, shape: out.shape, data }];
  });
}

for (const op of ['softmax', 'logSoftmax']) {
  registerRef(op, ([x], { node, outputs, where }) => {
    const out = outputs[0];
    const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
    const { bases, offsets } = reductionPlan(x.shape, [axis]);
    const data = scratch(out.dtype, x.data.length);
    for (const base of bases) {
      let max = -Infinity;
      for (const off of offsets) max = maxNaN(max, x.data[base + off]);
      let sum = 0;
      for (const off of offsets) sum += Math.exp(x.data[base + off] - max);
      for (const off of offsets) {
        const shifted = x.data[base + off] - max;
        data[base + off] = op === 'softmax' ? Math.exp(shifted) / sum : shifted - Math.log(sum);
      }
    }
    return [{ dtype: out.dtype, shape: out.shape, data }];
  });
}

registerRef('cumSum', ([x], { node, outputs, where }) => {
  const out = outputs[0];
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const exclusive = node.attrs.exclusive as boolean;
  const reverse = node.attrs.reverse as boolean;
  const { bases, offsets } = reductionPlan(x.shape, [axis]);
  const add = addFor(x.dtype);
  const n = offsets.length;
  const data = scratch(out.dtype, x.data.length);
  for (const base of bases) {
    let acc = 0;
    for (let step = 0; step < n; step++) {
      const off = offsets[reverse ? n - 1 - step : step];
      if (exclusive) {
        data[base + off] = acc;
        acc = add(acc, x.data[base + off]);
      } else {
        acc = add(acc, x.data[base + off]);
        data[base + off] = acc;
      }
    }
  }
  return [{ dtype: out.dtype, shape: out.shape, data }];
});
