import type { Attrs, Dim } from '../../../ir/index.js';
import { isStaticShape, subDims, UnsupportedOpError } from '../../../ir/index.js';
import type { CoordinateTransformationMode, ResizeAxis } from '../../../ir/ops/resize.js';
import { coordinateMode, nearestMode, resizeAxes, resizeMode } from '../../../ir/ops/resize.js';
import { derivedAccess } from '../access.js';
import type { Expr } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';
import { registerLowering } from '../lowering.js';

/**
 * ONNX Resize as index arithmetic: per resized axis, the output coordinate maps to a fractional
 * input coordinate, then to a few clamped taps with weights; the value is the unrolled sum over
 * the taps' cartesian product (nearest: one tap, a pure gather). Mirrors the reference's
 * formulas term for term so f32 lands on the same taps as f64 wherever the scale is exact.
 */

/** An f32 literal, parenthesized when negative (Tint rejects `a - -1.0f`). */
const f = (v: number) => {
  const code = literal(v, 'f32').code;
  return code.startsWith('-') ? `(${code})` : code;
};

/** The f32 input coordinate of output coordinate x (a u32 expression). */
function originalCoordinate(x: string, axis: ResizeAxis, mode: CoordinateTransformationMode): string {
  const { inSize, outSize, scale } = axis;
  const outLength = scale * inSize;
  const xf = `f32(${x})`;
  switch (mode) {
    case 'half_pixel':
      return `(${xf} + 0.5f) / ${f(scale)} - 0.5f`;
    case 'half_pixel_symmetric': {
      const offset = (inSize / 2) * (1 - outSize / outLength);
      return `${f(offset)} + (${xf} + 0.5f) / ${f(scale)} - 0.5f`;
    }
    case 'pytorch_half_pixel':
      return outLength === 1 ? '-0.5f' : `(${xf} + 0.5f) / ${f(scale)} - 0.5f`;
    case 'tf_half_pixel_for_nn':
      return `(${xf} + 0.5f) / ${f(scale)}`;
    case 'asymmetric':
      return `${xf} / ${f(scale)}`;
    case 'align_corners':
      return outLength === 1 ? '0.0f' : `(${xf} * ${f(inSize - 1)}) / ${f(outLength - 1)}`;
    case 'tf_crop_and_resize': {
      const span = axis.roiEnd - axis.roiStart;
      const start = axis.roiStart * (inSize - 1);
      const crop = outLength === 1 ? f((span * (inSize - 1)) / 2) : `(${xf} * ${f(span)} * ${f(inSize - 1)}) / ${f(outLength - 1)}`;
      return `${crop} + ${f(start)}`;
    }
    default:
      return mode satisfies never;
  }
}

interface AxisTaps {
  /** Clamped u32 input coordinates. */
  readonly coords: string[];
  /** f32 weights (absent for nearest: its single tap has weight 1). */
  readonly weights: string[] | null;
  /** tf_crop_and_resize: true where the coordinate falls outside the input. */
  readonly outside: string | null;
}

function cubicWeights(b: KernelBuilder, r: string, a: number): string[] {
  const A = f(a);
  const far = (t: string) => `(((${A} * ${t} - ${f(5 * a)}) * ${t} + ${f(8 * a)}) * ${t} - ${f(4 * a)})`;
  const near = (t: string) => `((${f(a + 2)} * ${t} - ${f(a + 3)}) * ${t} * ${t} + 1.0f)`;
  return [far(`(${r} + 1.0f)`), near(r), near(`(1.0f - ${r})`), far(`(2.0f - ${r})`)].map((w) => b.let(expr(w, 'f32'), 'cw').code);
}

/**
 * An axis of a resize whose input size may be symbolic: the sizes as dims, and for symbolic ones
 * the numbers (unused: the modes that would read them are refused) set to NaN.
 */
interface DimResizeAxis extends ResizeAxis {
  readonly inDim: Dim;
}

/** Modes whose coordinate map reads only the scale: the ones a symbolic size can take. */
const SCALE_ONLY_MODES: readonly CoordinateTransformationMode[] = ['half_pixel', 'asymmetric', 'pytorch_half_pixel', 'tf_half_pixel_for_nn'];

function resizeAxesOf(inShape: readonly Dim[], outShape: readonly Dim[], attrs: Attrs, where: string): DimResizeAxis[] {
  if (isStaticShape(inShape)) return resizeAxes(inShape, attrs, where).map((a) => ({ ...a, inDim: a.inSize }));
  const transform = coordinateMode(attrs, where);
  const scales = attrs.scales as readonly number[];
  if (!SCALE_ONLY_MODES.includes(transform) || scales.length === 0 || (attrs.sizes as readonly number[]).length > 0) {
    throw new UnsupportedOpError(`${where}: a resize of symbolic dims needs scales and a coordinate mode of ${SCALE_ONLY_MODES.join(', ')} (got '${transform}')`);
  }
  return inShape.map((d, axis) => {
    const scale = scales[axis];
    const identity = scale === 1 && transform !== 'tf_half_pixel_for_nn';
    const size = (v: Dim) => (typeof v === 'number' ? v : NaN);
    return { inSize: size(d), outSize: size(outShape[axis]), scale, roiStart: 0, roiEnd: 1, identity, inDim: d };
  });
}

/** Taps of one axis, as in the reference: base = ceil(at) − 1 so the ratio lies in (0, 1]. */
function axisTaps(b: KernelBuilder, x: string, axis: DimResizeAxis, attrs: Attrs, where: string): AxisTaps {
  const transform = coordinateMode(attrs, where);
  const at = b.let(expr(originalCoordinate(x, axis, transform), 'f32'), 'xo').code;
  const outside = transform === 'tf_crop_and_resize' ? `(${at} < 0.0f || ${at} > ${f(axis.inSize - 1)})` : null;
  const base = b.let(expr(`i32(ceil(${at})) - 1i`, 'i32'), 'base').code;
  const ratio = b.let(expr(`${at} - f32(${base})`, 'f32'), 'r').code;
  const last = b.sizeAs(subDims(axis.inDim, 1), 'i32').code;
  const clampIndex = (i: string) => b.let(expr(`u32(clamp(${i}, 0i, ${last}))`, 'u32'), 'ix').code;
  const mode = resizeMode(attrs, where);
  if (mode === 'nearest') {
    const nearest = nearestMode(attrs, where);
    const upper = {
      round_prefer_floor: `${ratio} > 0.5f`,
      round_prefer_ceil: `${ratio} >= 0.5f`,
      floor: `${ratio} == 1.0f`,
      ceil: 'true',
    }[nearest];
    return { coords: [clampIndex(`${base} + select(0i, 1i, ${upper})`)], weights: null, outside };
  }
  const first = mode === 'linear' ? 0 : -1;
  let weights = mode === 'linear' ? [b.let(expr(`1.0f - ${ratio}`, 'f32'), 'lw').code, ratio] : cubicWeights(b, ratio, attrs.cubicCoeffA as number);
  const indices = weights.map((_, j) => {
    const shift = first + j;
    return b.let(expr(shift === 0 ? base : `${base} ${shift < 0 ? '-' : '+'} ${Math.abs(shift)}i`, 'i32'), 'ti').code;
  });
  if (attrs.excludeOutside === true) {
    // Taps outside the input get weight 0; the rest are renormalized to sum to 1.
    const kept = weights.map((w, j) => b.let(expr(`select(0.0f, ${w}, ${indices[j]} >= 0i && ${indices[j]} < ${b.sizeAs(axis.inDim, 'i32').code})`, 'f32'), 'ew').code);
    const total = b.let(expr(kept.join(' + '), 'f32'), 'ws').code;
    weights = kept.map((w) => b.let(expr(`${w} / ${total}`, 'f32'), 'nw').code);
  }
  return { coords: indices.map(clampIndex), weights, outside };
}

registerLowering('resize', ({ b, node, inputs: [x], outputs: [out], where }) => {
  const attrs = node.attrs;
  const axes = resizeAxesOf(x.shape, out.shape, attrs, where);
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const perAxis: AxisTaps[] = axes.map((axis, a) => (axis.identity ? { coords: [coords[a]], weights: null, outside: null } : axisTaps(b, coords[a], axis, attrs, where)));
      let value: Expr;
      if (resizeMode(attrs, where) === 'nearest') {
        value = x.at(perAxis.map((t) => t.coords[0]));
      } else {
        // Unrolled sum over the cartesian product of every axis's taps.
        const terms: string[] = [];
        const visit = (a: number, picked: string[], weight: string[]): void => {
          if (a === axes.length) {
            const v = convert(x.at(picked), 'f32').code;
            terms.push(weight.length ? `${weight.join(' * ')} * ${v}` : v);
            return;
          }
          const t = perAxis[a];
          t.coords.forEach((c, j) => visit(a + 1, [...picked, c], t.weights ? [...weight, t.weights[j]] : weight));
        };
        visit(0, [], []);
        value = convert(b.let(expr(terms.join(' + '), 'f32'), 'rs'), out.dtype);
      }
      const outside = perAxis.map((t) => t.outside).filter((o): o is string => o !== null);
      if (outside.length === 0) return value;
      const extrapolation = convert(literal(attrs.extrapolationValue as number, 'f32'), out.dtype);
      return expr(`select(${value.code}, ${extrapolation.code}, ${outside.join(' || ')})`, out.dtype);
    }),
  ];
});
