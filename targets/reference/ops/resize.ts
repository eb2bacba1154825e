import type { Attrs } from '../../../ir/index.js';
import { numel, stridesOf } from '../../../ir/index.js';
import type { CoordinateTransformationMode, ResizeAxis } from '../../../ir/ops/resize.js';
import { coordinateMode, nearestMode, resizeAxes, resizeMode } from '../../../ir/ops/resize.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';

/**
 * ONNX Resize, written after the ONNX reference implementation (onnx/reference/ops/op_resize.py):
 * each axis maps an output coordinate to a fractional input coordinate, picks its taps and their
 * weights, and the N-D result is the separable product of the per-axis weights.
 */

/** The input coordinate of output coordinate `x`, or null where tf_crop_and_resize extrapolates. */
export function originalCoordinate(x: number, axis: ResizeAxis, mode: CoordinateTransformationMode): number | null {
  const { inSize, outSize, scale } = axis;
  // ONNX uses the unrounded output length here (scale · in), not the integer size.
  const outLength = scale * inSize;
  switch (mode) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outSize / outLength;
      const offset = (inSize / 2) * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel':
      return outLength === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'asymmetric':
      return x / scale;
    case 'align_corners':
      return outLength === 1 ? 0 : (x * (inSize - 1)) / (outLength - 1);
    case 'tf_crop_and_resize': {
      const span = axis.roiEnd - axis.roiStart;
      const crop = outLength === 1 ? (span * (inSize - 1)) / 2 : (x * span * (inSize - 1)) / (outLength - 1);
      const at = crop + axis.roiStart * (inSize - 1);
      return at < 0 || at > inSize - 1 ? null : at;
    }
    default:
      return mode satisfies never;
  }
}

export interface Taps {
  /** Input indices, unclamped: edge padding (clamping) happens when reading. */
  readonly indices: number[];
  readonly weights: number[];
}

function cubicWeights(r: number, a: number): number[] {
  const far = (t: number) => ((a * t - 5 * a) * t + 8 * a) * t - 4 * a; // 1 < |t| < 2
  const near = (t: number) => ((a + 2) * t - (a + 3)) * t * t + 1; // |t| ≤ 1
  return [far(r + 1), near(r), near(1 - r), far(2 - r)];
}

/**
 * Taps of one axis at input coordinate `at`. ONNX picks the neighbours left of `at` first, so
 * the fractional part `ratio` lies in (0, 1]: an integral coordinate has ratio 1 on base = at − 1.
 */
export function axisTaps(at: number, axis: ResizeAxis, attrs: Attrs, where: string): Taps {
  const base = Math.ceil(at) - 1;
  const ratio = at - base;
  const mode = resizeMode(attrs, where);
  if (mode === 'nearest') {
    const nearest = nearestMode(attrs, where);
    const pickUpper =
      ratio === 1 ||
      (nearest === 'round_prefer_floor' && ratio > 0.5) ||
      (nearest === 'round_prefer_ceil' && ratio >= 0.5) ||
      nearest === 'ceil';
    return { indices: [pickUpper ? base + 1 : base], weights: [1] };
  }
  const first = mode === 'linear' ? base : base - 1;
  const weights = mode === 'linear' ? [1 - ratio, ratio] : cubicWeights(ratio, attrs.cubicCoeffA as number);
  const indices = weights.map((_, j) => first + j);
  if (attrs.excludeOutside === true) {
    indices.forEach((i, j) => {
      if (i < 0 || i >= axis.inSize) weights[j] = 0;
    });
    const total = weights.reduce((s, v) => s + v, 0);
    weights.forEach((v, j) => (weights[j] = v / total));
  }
  return { indices, weights };
}

registerRef('resize', ([x], ctx) => {
  const out = ctx.outputs[0];
  const attrs = ctx.node.attrs;
  const axes = resizeAxes(x.shape, attrs, ctx.where);
  const transform = coordinateMode(attrs, ctx.where);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(out.shape);
  const data = scratch(out.dtype, numel(out.shape));
  const extrapolation = attrs.extrapolationValue as number;
  for (let flat = 0; flat < data.length; flat++) {
    // Per-axis taps, then the sum over their cartesian product.
    const perAxis: Taps[] = [];
    let outside = false;
    axes.forEach((axis, a) => {
      const coord = Math.floor(flat / outStrides[a]) % out.shape[a];
      if (axis.identity) return perAxis.push({ indices: [coord], weights: [1] });
      const at = originalCoordinate(coord, axis, transform);
      if (at === null) outside = true;
      else perAxis.push(axisTaps(at, axis, attrs, ctx.where));
    });
    if (outside) {
      data[flat] = extrapolation;
      continue;
    }
    let sum = 0;
    const visit = (a: number, offset: number, weight: number): void => {
      if (a === axes.length) {
        sum += weight * x.data[offset];
        return;
      }
      const { indices, weights } = perAxis[a];
      indices.forEach((i, j) => {
        const clamped = Math.min(Math.max(i, 0), axes[a].inSize - 1);
        visit(a + 1, offset + clamped * inStrides[a], weight * weights[j]);
      });
    };
    visit(0, 0, 1);
    data[flat] = sum;
  }
  return [{ dtype: out.dtype, shape: out.shape, data }];
});
