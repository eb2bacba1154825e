import { normalizeAxis } from '../../../ir/index.js';
import { broadcastIndex } from '../broadcast.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';
import { reductionPlan } from '../reduction_plan.js';

/**
 * layerNorm on the host: per row (a position of the leading dims), the mean, then the biased
 * variance as the mean of squared deviations (two passes: no cancellation), then each element.
 */
registerRef('layerNorm', ([x, scale, bias], { node, outputs, where }) => {
  const out = outputs[0];
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const epsilon = node.attrs.epsilon as number;
  const normalizedShape = x.shape.slice(axis);
  const { bases, offsets } = reductionPlan(x.shape, normalizedShape.map((_, i) => axis + i));
  const scaleIndex = scale ? broadcastIndex(scale.shape, normalizedShape) : null;
  const biasIndex = bias ? broadcastIndex(bias.shape, normalizedShape) : null;
  const n = offsets.length;
  const data = scratch(out.dtype, x.data.length);
  for (const base of bases) {
    let sum = 0;
    for (const off of offsets) sum += x.data[base + off];
    const mean = sum / n;
    let squares = 0;
    for (const off of offsets) squares += (x.data[base + off] - mean) ** 2;
    const invStd = 1 / Math.sqrt(squares / n + epsilon);
    offsets.forEach((off, r) => {
      let y = (x.data[base + off] - mean) * invStd;
      if (scale) y *= scale.data[scaleIndex![r]];
      if (bias) y += bias.data[biasIndex![r]];
      data[base + off] = y;
    });
  }
  return [{ dtype: out.dtype, shape: out.shape, data }];
});
