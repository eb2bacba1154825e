import type { Value } from '../../../ir/index.js';
import { numel, ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { AutoPad } from '../../../ir/ops/nn.js';
import { resolveAutoPad, slidingOutputSize, windowGeometry } from '../../../ir/ops/nn.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { checkHostElements, flag, input, reshape, staticShape } from './util.js';

/**
 * MaxPool's optional Indices output and its inverse, MaxUnpool. Indices are flat positions in
 * the whole input tensor (batch and channel offsets included), row-major unless
 * storage_order=1 makes the spatial part column-major.
 */

/**
 * 2-D MaxPool with Indices, as a running max over the window's taps: each tap is a strided
 * slice of the (−∞-padded) input and of a tensor of flat indices, and a strictly greater value
 * takes over, so ties keep the first tap in row-major window order.
 */
export function maxPoolWithIndices(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const shape = staticShape(node, x);
  if (shape.length !== 4) throw new UnsupportedOpError(`${node.where}: MaxPool's Indices output is supported for 2-D pooling only`);
  const [h, w] = shape.slice(2);
  const kernel = node.attrs.ints('kernel_shape');
  const strides = node.attrs.ints('strides', [1, 1]);
  const dilations = node.attrs.ints('dilations', [1, 1]);
  const autoPad = node.attrs.string('auto_pad', 'NOTSET') as AutoPad;
  const pads = autoPad === 'NOTSET' ? node.attrs.ints('pads', [0, 0, 0, 0]) : resolveAutoPad(autoPad, [h, w], kernel, strides, dilations);
  const ceil = flag(node, 'ceil_mode', false);
  const geometry = windowGeometry({ strides, dilations, pads }, kernel, node.where);
  const out = [0, 1].map((a) => slidingOutputSize([h, w][a], geometry, a, ceil));
  // Pad so that every window of the output grid lies inside (ceil mode may need extra at the end).
  const end = [0, 1].map((a) => Math.max(pads[a + 2], (out[a] - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - [h, w][a] - pads[a]));
  const allPads = [0, 0, pads[0], pads[1], 0, 0, end[0], end[1]];
  const columnMajor = node.attrs.int('storage_order', 0) === 1;
  checkHostElements(node, numel(shape), 'the index map');
  const flat = new Float32Array(numel(shape));
  for (let i = 0; i < flat.length; i++) {
    const [hi, wi] = [Math.floor(i / w) % h, i % w];
    const plane = i - (hi * w + wi);
    flat[i] = plane + (columnMajor ? wi * h + hi : hi * w + wi);
  }
  const padded = ctx.op('pad', [x], { pads: allPads, mode: 'constant', value: -Infinity });
  const positions = ctx.op('pad', [ctx.constant({ dtype: 'f32', shape, data: flat })], { pads: allPads, mode: 'constant', value: -1 });
  let best: Value | undefined;
  let bestIndex: Value | undefined;
  for (let ki = 0; ki < kernel[0]; ki++) {
    for (let kj = 0; kj < kernel[1]; kj++) {
      const starts = [ki * dilations[0], kj * dilations[1]];
      const attrs = { starts, ends: [0, 1].map((a) => starts[a] + (out[a] - 1) * strides[a] + 1), axes: [2, 3], steps: strides };
      const v = ctx.op('slice', [padded], attrs);
      const idx = ctx.op('slice', [positions], attrs);
      if (!best || !bestIndex) {
        [best, bestIndex] = [v, idx];
        continue;
      }
      const better = ctx.op('greater', [v, best]);
      best = ctx.op('where', [better, v, best]);
      bestIndex = ctx.op('where', [better, idx, bestIndex]);
    }
  }
  return [best!, ctx.op('cast', [bestIndex!], { to: 'i32' })];
}

/**
 * MaxUnpool: zeros with each value scattered to its flat index. Indices address the default
 * output shape ((in − 1)·stride + kernel − pads); a larger output_shape extends it at the end
 * of each spatial axis, keeping every value's coordinates (as onnxruntime does).
 */
function maxUnpool(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const [n, c, ...spatial] = staticShape(node, x);
  const kernel = node.attrs.ints('kernel_shape');
  const strides = node.attrs.ints('strides', kernel.map(() => 1));
  const pads = node.attrs.ints('pads', new Array<number>(2 * kernel.length).fill(0));
  const natural = [n, c, ...spatial.map((d, a) => (d - 1) * strides[a] + kernel[a] - pads[a] - pads[a + kernel.length])];
  const wanted = node.inputs[2] ? ctx.constValues(node, 2, 'output_shape') : natural;
  if (wanted.length !== natural.length || wanted.some((d, i) => d < natural[i] || (i < 2 && d !== natural[i]))) {
    throw new ShapeError(`${node.where}: output_shape [${wanted.join(',')}] is smaller than the unpooled shape [${natural.join(',')}]`);
  }
  const zeros = ctx.op('fill', [], { shape: [numel(natural)], value: 0, dtype: x.type.dtype });
  const indices = reshape(ctx, input(node, 1), [numel(staticShape(node, input(node, 1)))]);
  const scattered = reshape(ctx, ctx.op('scatterElements', [zeros, indices, reshape(ctx, x, [numel([n, c, ...spatial])])], { axis: 0 }), natural);
  if (wanted.every((d, i) => d === natural[i])) return [scattered];
  const extend = [...natural.map(() => 0), ...wanted.map((d, i) => d - natural[i])];
  return [ctx.op('pad', [scattered], { pads: extend, mode: 'constant', value: 0 })];
}

defineOnnxOps({
  MaxUnpool: maxUnpool,
});
