import { ShapeError } from '../errors.js';
import type { Attrs } from '../graph.js';
import { addDims, ceilDivDims, floorDivDims, minDims, mulDims, subDims } from '../dim_expr.js';
import type { DimConstraint } from '../registry.js';
import type { Dim } from '../shape.js';

/**
 * The geometry every sliding-window op (conv, convTranspose, pools and their gradients) shares:
 * per spatial axis a kernel extent, a stride, a dilation and explicit begin/end pads. Attributes
 * are IR-normalized: an empty list means the ONNX default (strides 1, dilations 1, pads 0);
 * ONNX's auto_pad is resolved by the importer through `resolveAutoPad`.
 */
export interface WindowGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
}

function listAttr(attrs: Attrs, key: string, length: number, fill: number, where: string): number[] {
  const raw = attrs[key] as readonly number[] | undefined;
  if (raw === undefined || raw.length === 0) return new Array<number>(length).fill(fill);
  if (raw.length !== length) throw new ShapeError(`${where}: attribute '${key}' has ${raw.length} values, expected ${length}`);
  return [...raw];
}

/**
 * Reads strides/dilations/pads for `kernel.length` spatial axes, checking counts and signs.
 * Negative pads are allowed only where they mean something (convTranspose crops less/extends).
 */
export function windowGeometry(attrs: Attrs, kernel: readonly number[], where: string, allowNegativePads = false): WindowGeometry {
  const rank = kernel.length;
  if (kernel.some((k) => !Number.isInteger(k) || k < 1)) throw new ShapeError(`${where}: kernel shape [${kernel.join(',')}] must be positive`);
  const strides = listAttr(attrs, 'strides', rank, 1, where);
  const dilations = 'dilations' in attrs ? listAttr(attrs, 'dilations', rank, 1, where) : new Array<number>(rank).fill(1);
  const pads = listAttr(attrs, 'pads', 2 * rank, 0, where);
  if (strides.some((s) => s < 1)) throw new ShapeError(`${where}: strides [${strides.join(',')}] must be ≥ 1`);
  if (dilations.some((d) => d < 1)) throw new ShapeError(`${where}: dilations [${dilations.join(',')}] must be ≥ 1`);
  if (!allowNegativePads && pads.some((p) => p < 0)) throw new ShapeError(`${where}: pads [${pads.join(',')}] must be ≥ 0`);
  return { kernel: [...kernel], strides, dilations, padsBegin: pads.slice(0, rank), padsEnd: pads.slice(rank) };
}

/** The extent one window covers along an axis: (k - 1)·d + 1. */
export function windowExtent(g: WindowGeometry, axis: number): number {
  return (g.kernel[axis] - 1) * g.dilations[axis] + 1;
}

/**
 * Output size of a sliding window along one axis. In ceil mode a partial last window counts, but
 * (like PyTorch and onnxruntime) only when it starts inside the input or its begin padding.
 */
export function slidingOutputSize(input: number, g: WindowGeometry, axis: number, ceilMode: boolean): number {
  const span = input + g.padsBegin[axis] + g.padsEnd[axis] - windowExtent(g, axis);
  const stride = g.strides[axis];
  if (span < 0) return 0;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= input + g.padsBegin[axis]) out--;
  return out;
}

/** Output size of convTranspose along one axis (ONNX: s·(in−1) + outputPadding + extent − pads). */
export function transposedOutputSize(input: number, g: WindowGeometry, axis: number, outputPadding: number): number {
  return g.strides[axis] * (input - 1) + outputPadding + windowExtent(g, axis) - g.padsBegin[axis] - g.padsEnd[axis];
}

/**
 * Output size of a sliding window along one axis whose input size is symbolic: the same formula
 * as `slidingOutputSize` as an expression (ceil mode: the last window must start inside the
 * input or its begin padding, hence the min).
 */
export function slidingOutputDim(input: Dim, g: WindowGeometry, axis: number, ceilMode: boolean): Dim {
  if (typeof input === 'number') return slidingOutputSize(input, g, axis, ceilMode);
  const span = subDims(addDims(input, g.padsBegin[axis] + g.padsEnd[axis]), windowExtent(g, axis));
  const stride = g.strides[axis];
  if (!ceilMode) return addDims(floorDivDims(span, stride), 1);
  return minDims(addDims(ceilDivDims(span, stride), 1), ceilDivDims(addDims(input, g.padsBegin[axis]), stride));
}

/** Output size of convTranspose along one axis, for a size or an expression. */
export function transposedOutputDim(input: Dim, g: WindowGeometry, axis: number, outputPadding: number): Dim {
  if (typeof input === 'number') return transposedOutputSize(input, g, axis, outputPadding);
  return addDims(mulDims(g.strides[axis], subDims(input, 1)), outputPadding + windowExtent(g, axis) - g.padsBegin[axis] - g.padsEnd[axis]);
}

/** The constraints of a forward window over symbolic spatial dims: each padded axis at least the window's extent. */
export function windowConstraints(op: string, spatial: readonly Dim[], g: WindowGeometry, where: string): DimConstraint[] {
  return spatial.flatMap((d, axis) =>
    typeof d === 'string'
      ? [{ dim: subDims(addDims(d, g.padsBegin[axis] + g.padsEnd[axis]), windowExtent(g, axis)), min: 0, what: `${where}: spatial axis ${axis} of size ${d} (pads ${g.padsBegin[axis]}+${g.padsEnd[axis]}) must be at least the ${op} window extent ${windowExtent(g, axis)}` }]
      : [],
  );
}

/** Spatial output dims of a forward sliding window; symbolic inputs give expressions of them. */
export function slidingOutputDims(op: string, spatial: readonly Dim[], g: WindowGeometry, ceilMode: boolean, where: string): Dim[] {
  return spatial.map((d, axis) => {
    if (typeof d === 'string') return slidingOutputDim(d, g, axis, ceilMode);
    const out = slidingOutputSize(d, g, axis, ceilMode);
    if (out < 1) {
      throw new ShapeError(`${where}: spatial axis ${axis} of size ${d} (pads ${g.padsBegin[axis]}+${g.padsEnd[axis]}) is smaller than the ${op} window extent ${windowExtent(g, axis)}`);
    }
    return out;
  });
}

export type AutoPad = 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';

/**
 * ONNX auto_pad → explicit pads [begin..., end...] for conv and pools. SAME_* pads so that
 * output = ceil(input / stride); the odd extra pad goes at the end (UPPER) or the begin (LOWER).
 * NOTSET returns the explicit pads given (or zeros).
 */
export function resolveAutoPad(
  autoPad: AutoPad,
  inputSpatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[] = [],
  dilations: readonly number[] = [],
  explicitPads: readonly number[] = [],
): number[] {
  const rank = inputSpatial.length;
  if (autoPad === 'NOTSET') return explicitPads.length ? [...explicitPads] : new Array<number>(2 * rank).fill(0);
  if (autoPad === 'VALID') return new Array<number>(2 * rank).fill(0);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < rank; i++) {
    const s = strides[i] ?? 1;
    const extent = ((kernel[i] ?? 1) - 1) * (dilations[i] ?? 1) + 1;
    const out = Math.ceil(inputSpatial[i] / s);
    const total = Math.max(0, (out - 1) * s + extent - inputSpatial[i]);
    const small = Math.floor(total / 2);
    begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
    end.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [...begin, ...end];
}

/**
 * ONNX ConvTranspose's auto_pad and output_shape → explicit pads (possibly negative, which
 * extends the output) with the given output padding. With `outputShape`, the total padding is
 * what makes the output that size; SAME_* without it targets input · stride.
 */
export function resolveConvTransposePads(
  autoPad: AutoPad,
  inputSpatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[] = [],
  dilations: readonly number[] = [],
  outputPadding: readonly number[] = [],
  explicitPads: readonly number[] = [],
  outputShape: readonly number[] = [],
): number[] {
  const rank = inputSpatial.length;
  if (outputShape.length === 0 && (autoPad === 'NOTSET' || autoPad === 'VALID')) {
    return autoPad === 'NOTSET' && explicitPads.length ? [...explicitPads] : new Array<number>(2 * rank).fill(0);
  }
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < rank; i++) {
    const s = strides[i] ?? 1;
    const extent = ((kernel[i] ?? 1) - 1) * (dilations[i] ?? 1) + 1;
    const target = outputShape.length ? outputShape[i] : inputSpatial[i] * s;
    const total = s * (inputSpatial[i] - 1) + (outputPadding[i] ?? 0) + extent - target;
    const half = Math.floor(total / 2);
    // ONNX: SAME_UPPER puts the smaller half first; NOTSET and SAME_LOWER put it last.
    if (autoPad === 'SAME_UPPER') {
      begin.push(half);
      end.push(total - half);
    } else {
      begin.push(total - half);
      end.push(half);
    }
  }
  return [...begin, ...end];
}
