import type { StaticShape } from '../../../ir/index.js';
import { numel } from '../../../ir/index.js';
import { broadcastIndex } from '../broadcast.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';
import { addFor, mulFor } from '../reduction_plan.js';

/**
 * numpy matmul: a 1-D left operand is a row vector [1,K], a 1-D right operand a column
 * vector [K,1]; the batch dims (all but the last two) broadcast; the dims added for 1-D
 * operands are dropped from the result (the output shape comes from inference). Floats
 * accumulate in f64; i32/u32 wrap modulo 2³² at every step, like the device.
 */
registerRef('matmul', ([a, b], { outputs }) => {
  const out = outputs[0];
  const aShape: StaticShape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bShape: StaticShape = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const n = bShape[bShape.length - 1];
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchRank = Math.max(aBatch.length, bBatch.length);
  const batch = Array.from({ length: batchRank }, (_, i) => {
    const da = aBatch[i - (batchRank - aBatch.length)] ?? 1;
    const db = bBatch[i - (batchRank - bBatch.length)] ?? 1;
    return da === 1 ? db : da;
  });
  // Flat index of each operand's matrix for every batch position of the result.
  const aMatrix = broadcastIndex(aBatch, batch);
  const bMatrix = broadcastIndex(bBatch, batch);
  const add = addFor(out.dtype);
  const mul = mulFor(out.dtype);
  const data = scratch(out.dtype, numel(batch) * m * n);
  for (let p = 0; p < numel(batch); p++) {
    const aBase = aMatrix[p] * m * k;
    const bBase = bMatrix[p] * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) acc = add(acc, mul(a.data[aBase + i * k + q], b.data[bBase + q * n + j]));
        data[(p * m + i) * n + j] = acc;
      }
    }
  }
  return [{ dtype: out.dtype, shape: out.shape, data }];
});
