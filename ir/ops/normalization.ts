import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { registerOp } from '../registry.js';
import { formatShape, normalizeAxis } from '../shape.js';

/**
 * layerNorm(x[, scale[, bias]]) {axis, epsilon}: normalizes x over the trailing axes
 * [axis, rank) — y = (x - mean) / sqrt(var + epsilon) · scale + bias, with the biased variance
 * (divide by the count), as ONNX LayerNormalization and torch.nn.LayerNorm. scale and bias
 * broadcast over the normalized axes only (rank ≤ rank - axis, numpy rules). The graph-pass
 * `recognizePatterns` builds it from the decomposed form exporters emit.
 */
registerOp({
  name: 'layerNorm',
  category: 'reduction',
  arity: [1, 3],
  attrs: { axis: { kind: 'int', default: -1 }, epsilon: { kind: 'float', default: 1e-5 } },
  infer([x, ...params], attrs, { where }) {
    if (!isFloat(x.dtype)) throw new DTypeError(`${where}: input has dtype ${x.dtype}, expected a float`);
    const axis = normalizeAxis(attrs.axis as number, x.shape.length, where);
    if (!((attrs.epsilon as number) >= 0)) throw new ShapeError(`${where}: epsilon ${attrs.epsilon} must be ≥ 0`);
    const normalized = x.shape.slice(axis);
    params.forEach((p, i) => {
      const role = i === 0 ? 'scale' : 'bias';
      if (p.dtype !== x.dtype) throw new DTypeError(`${where}: ${role} has dtype ${p.dtype}, input has ${x.dtype}`);
      const offset = normalized.length - p.shape.length;
      const fits = offset >= 0 && p.shape.every((d, j) => d === 1 || d === normalized[offset + j] || typeof d === 'string' || typeof normalized[offset + j] === 'string');
      if (!fits) throw new ShapeError(`${where}: ${role} ${formatShape(p.shape)} does not broadcast over the normalized dims ${formatShape(normalized)}`);
    });
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});
