import type { Attrs, Value } from '../../../ir/index.js';
import { ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { flag, input, normAxis, rank, staticShape } from './util.js';

/**
 * Resize (opsets 10–19) and Upsample (7–9). Upsample and Resize-10 index the input at
 * floor(out / scale) (asymmetric coordinates); Resize-11 added the coordinate modes.
 */

function optionalValues(node: OnnxNodeView, ctx: ImportContext, index: number, what: string): number[] {
  return node.inputs[index] ? ctx.constValues(node, index, what) : [];
}

function legacyResize(node: OnnxNodeView, ctx: ImportContext, scales: number[]): Value[] {
  const x = input(node, 0);
  const mode = node.attrs.string('mode', 'nearest');
  if (scales.length !== rank(x)) throw new ShapeError(`${node.where}: scales has ${scales.length} values for rank ${rank(x)}`);
  const linear = mode === 'linear' || mode === 'bilinear';
  if (!linear && mode !== 'nearest') throw new UnsupportedOpError(`${node.where}: mode '${mode}' is not supported`);
  const attrs: Attrs = { scales, mode: linear ? 'linear' : 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' };
  return [ctx.op('resize', [x], attrs)];
}

function upsample(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const scales = node.opset < 9 ? node.attrs.floats('scales') : ctx.constValues(node, 1, 'scales');
  return legacyResize(node, ctx, scales);
}

/** Opset 18's axes and keep_aspect_ratio_policy, expanded to one scale/size per axis. */
function perAxis(node: OnnxNodeView, x: Value, scales: number[], sizes: number[]): { scales: number[]; sizes: number[] } {
  const r = rank(x);
  const axes = node.attrs.ints('axes', []).map((a) => normAxis(node, a, r));
  if (axes.length) {
    const shape = staticShape(node, x);
    const full = (given: number[], fill: (axis: number) => number) => {
      if (given.length === 0) return given;
      const out = shape.map((_, a) => fill(a));
      axes.forEach((a, i) => (out[a] = given[i]));
      return out;
    };
    scales = full(scales, () => 1);
    sizes = full(sizes, (a) => shape[a]);
  }
  const policy = node.attrs.string('keep_aspect_ratio_policy', 'stretch');
  if (policy === 'stretch' || sizes.length === 0) return { scales, sizes };
  if (policy !== 'not_larger' && policy !== 'not_smaller') throw new UnsupportedOpError(`${node.where}: keep_aspect_ratio_policy '${policy}' is not supported`);
  const shape = staticShape(node, x);
  const resized = axes.length ? axes : shape.map((_, a) => a);
  const ratios = resized.map((a) => sizes[a] / shape[a]);
  const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  const keep = shape.map((_, a) => (resized.includes(a) ? scale : 1));
  return { scales: keep, sizes: shape.map((d, a) => (resized.includes(a) ? Math.floor(d * scale + 0.5) : d)) };
}

function resize(node: OnnxNodeView, ctx: ImportContext): Value[] {
  if (node.opset < 11) return legacyResize(node, ctx, ctx.constValues(node, 1, 'scales'));
  const x = input(node, 0);
  if (flag(node, 'antialias', false)) throw new UnsupportedOpError(`${node.where}: antialias=1 is not supported`);
  const roi = optionalValues(node, ctx, 1, 'roi');
  const given = perAxis(node, x, optionalValues(node, ctx, 2, 'scales'), optionalValues(node, ctx, 3, 'sizes'));
  const coordinateTransformationMode = node.attrs.string('coordinate_transformation_mode', 'half_pixel');
  const attrs: Attrs = {
    scales: given.scales,
    sizes: given.sizes,
    roi: coordinateTransformationMode === 'tf_crop_and_resize' ? roi : [],
    mode: node.attrs.string('mode', 'nearest'),
    coordinateTransformationMode,
    nearestMode: node.attrs.string('nearest_mode', 'round_prefer_floor'),
    cubicCoeffA: node.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: flag(node, 'exclude_outside', false),
    extrapolationValue: node.attrs.float('extrapolation_value', 0),
  };
  return [ctx.op('resize', [x], attrs)];
}

defineOnnxOps({
  Resize: resize,
  Upsample: upsample,
});
