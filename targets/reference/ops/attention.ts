import type { StaticShape } from '../../../ir/index.js';
import { numel } from '../../../ir/index.js';
import { broadcastIndex } from '../broadcast.js';
import { registerRef } from '../kernels.js';
import { scratch } from '../scratch.js';

/**
 * attention(q, k, v, scale[, mask]) = softmax(scale · q@k + mask) @ v, written as the ops it
 * stands for, in f64: the scores of a row, their max, the exponentials and their sum, then the
 * weighted sum of v's rows. A row whose scores are all −∞ is NaN, as softmax makes it.
 */
registerRef('attention', ([q, k, v, scale, mask], { outputs }) => {
  const out = outputs[0];
  const rank = q.shape.length;
  const [sq, d] = q.shape.slice(-2);
  const sk = k.shape[rank - 1];
  const dv = v.shape[rank - 1];
  const batch = numel(q.shape.slice(0, -2) as StaticShape);
  const s = Number(scale.data[0]);
  const scoresShape: StaticShape = [...q.shape.slice(0, -2), sq, sk];
  const maskAt = mask ? broadcastIndex(mask.shape, scoresShape) : undefined;
  const data = scratch(out.dtype, batch * sq * dv);
  const scores = new Float64Array(sk);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < sq; i++) {
      let max = -Infinity;
      for (let j = 0; j < sk; j++) {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += Number(q.data[(b * sq + i) * d + c]) * Number(k.data[(b * d + c) * sk + j]);
        let score = s * dot;
        if (mask && maskAt) score += Number(mask.data[maskAt[(b * sq + i) * sk + j]]);
        scores[j] = score;
        max = Math.max(max, score); // NaN if either is
      }
      let sum = 0;
      for (let j = 0; j < sk; j++) sum += (scores[j] = Math.exp(scores[j] - max));
      for (let c = 0; c < dv; c++) {
        let acc = 0;
        for (let j = 0; j < sk; j++) acc += (scores[j] / sum) * Number(v.data[(b * sk + j) * dv + c]);
        data[(b * sq + i) * dv + c] = acc;
      }
    }
  }
  return [{ dtype: out.dtype, shape: out.shape, data }];
});
