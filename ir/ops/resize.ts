import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, UnsupportedOpError } from '../errors.js';
import type { Attrs } from '../graph.js';
import { registerOp } from '../registry.js';
import { floorDivDims, mulDims } from '../dim_expr.js';
import type { Dim } from '../shape.js';
import { formatShape } from '../shape.js';

/**
 * resize(x): ONNX Resize (opset 11–19) with its inputs folded into attributes, one entry per
 * axis of x. `sizes` fixes the output shape; `scales` (when given) is the coordinate scale,
 * and without `sizes` the output is floor(in · scale). Giving both expresses ONNX's
 * keep_aspect_ratio_policy, whose scale differs from out/in. `roi` is [start..., end...]
 * (normalized) for tf_crop_and_resize.
 */

export const RESIZE_MODES = ['nearest', 'linear', 'cubic'] as const;
export const COORDINATE_TRANSFORMATION_MODES = [
  'half_pixel',
  'asymmetric',
  'align_corners',
  'pytorch_half_pixel',
  'tf_crop_and_resize',
  'half_pixel_symmetric',
  'tf_half_pixel_for_nn',
] as const;
export const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

export type ResizeMode = (typeof RESIZE_MODES)[number];
export type CoordinateTransformationMode = (typeof COORDINATE_TRANSFORMATION_MODES)[number];
export type NearestMode = (typeof NEAREST_MODES)[number];

/** One axis of a resize with everything concrete: what both targets need to map coordinates. */
export interface ResizeAxis {
  readonly inSize: number;
  readonly outSize: number;
  /** The coordinate scale: out/in unless the scales attribute says otherwise. */
  readonly scale: number;
  readonly roiStart: number;
  readonly roiEnd: number;
  /** True when every output coordinate maps to the same input coordinate (nothing to interpolate). */
  readonly identity: boolean;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], key: string, where: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UnsupportedOpError(`${where}: ${key} '${value}' is not one of ${allowed.join(', ')}`);
  return value as T;
}

export function resizeMode(attrs: Attrs, where: string): ResizeMode {
  return oneOf(attrs.mode as string, RESIZE_MODES, 'mode', where);
}

export function coordinateMode(attrs: Attrs, where: string): CoordinateTransformationMode {
  return oneOf(attrs.coordinateTransformationMode as string, COORDINATE_TRANSFORMATION_MODES, 'coordinateTransformationMode', where);
}

export function nearestMode(attrs: Attrs, where: string): NearestMode {
  return oneOf(attrs.nearestMode as string, NEAREST_MODES, 'nearestMode', where);
}

function checkedLists(rank: number, attrs: Attrs, where: string): { scales: readonly number[]; sizes: readonly number[]; roi: readonly number[] } {
  const scales = attrs.scales as readonly number[];
  const sizes = attrs.sizes as readonly number[];
  const roi = attrs.roi as readonly number[];
  if (scales.length === 0 && sizes.length === 0) throw new ShapeError(`${where}: one of scales and sizes must be given`);
  if (scales.length && scales.length !== rank) throw new ShapeError(`${where}: scales has ${scales.length} values for rank ${rank}`);
  if (sizes.length && sizes.length !== rank) throw new ShapeError(`${where}: sizes has ${sizes.length} values for rank ${rank}`);
  if (roi.length && roi.length !== 2 * rank) throw new ShapeError(`${where}: roi has ${roi.length} values, expected ${2 * rank}`);
  if (scales.some((s) => !(s > 0))) throw new ShapeError(`${where}: scales [${scales.join(',')}] must be > 0`);
  if (sizes.some((s) => s < 1)) throw new ShapeError(`${where}: sizes [${sizes.join(',')}] must be ≥ 1`);
  return { scales, sizes, roi };
}

function outputDim(d: Dim, axis: number, scales: readonly number[], sizes: readonly number[], where = 'resize'): Dim {
  if (sizes.length) return sizes[axis];
  if (typeof d === 'number') return Math.floor(d * scales[axis]);
  // A symbolic size scales exactly by a whole factor or its inverse (upsampling ×2, pooling-like ÷2).
  const scale = scales[axis];
  if (Number.isInteger(scale)) return mulDims(d, scale);
  if (Number.isInteger(1 / scale)) return floorDivDims(d, 1 / scale);
  throw new ShapeError(`${where}: cannot scale the symbolic dim '${d}' by ${scale} (whole factors and their inverses only); give it a size`);
}

/** Concrete per-axis parameters of a resize from x's static shape. */
export function resizeAxes(inShape: readonly number[], attrs: Attrs, where: string): ResizeAxis[] {
  const { scales, sizes, roi } = checkedLists(inShape.length, attrs, where);
  const mode = attrs.coordinateTransformationMode;
  const crop = mode === 'tf_crop_and_resize';
  // tf_half_pixel_for_nn maps x to x + 0.5 even at scale 1: no axis is the identity there.
  const shifts = mode === 'tf_half_pixel_for_nn';
  return inShape.map((inSize, axis) => {
    const outSize = outputDim(inSize, axis, scales, sizes) as number;
    const scale = scales.length ? scales[axis] : outSize / inSize;
    const roiStart = roi.length ? roi[axis] : 0;
    const roiEnd = roi.length ? roi[inShape.length + axis] : 1;
    const identity = outSize === inSize && scale === 1 && !shifts && (!crop || (roiStart === 0 && roiEnd === 1));
    return { inSize, outSize, scale, roiStart, roiEnd, identity };
  });
}

registerOp({
  name: 'resize',
  category: 'injective',
  arity: [1, 1],
  attrs: {
    scales: { kind: 'floats', default: [] },
    sizes: { kind: 'ints', default: [] },
    roi: { kind: 'floats', default: [] },
    mode: { kind: 'string', default: 'nearest' },
    coordinateTransformationMode: { kind: 'string', default: 'half_pixel' },
    nearestMode: { kind: 'string', default: 'round_prefer_floor' },
    cubicCoeffA: { kind: 'float', default: -0.75 },
    excludeOutside: { kind: 'bool', default: false },
    extrapolationValue: { kind: 'float', default: 0 },
  },
  infer([x], attrs, { where }) {
    const mode = resizeMode(attrs, where);
    coordinateMode(attrs, where);
    nearestMode(attrs, where);
    if (mode !== 'nearest' && !isFloat(x.dtype)) throw new DTypeError(`${where}: ${mode} resize needs a float input, got ${x.dtype}`);
    if (x.shape.length === 0) throw new ShapeError(`${where}: cannot resize a scalar`);
    const { scales, sizes } = checkedLists(x.shape.length, attrs, where);
    const shape = x.shape.map((d, axis) => outputDim(d, axis, scales, sizes, where));
    if (shape.some((d) => typeof d === 'number' && d < 1)) throw new ShapeError(`${where}: output shape ${formatShape(shape)} of input ${formatShape(x.shape)} has an empty axis`);
    return [{ dtype: x.dtype, shape }];
  },
});
