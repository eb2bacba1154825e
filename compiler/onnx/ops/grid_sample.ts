import type { Value } from '../../../ir/index.js';
import { UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { flag, input, reshape, staticShape } from './util.js';

/**
 * GridSample (opset 16, 2-D): every output pixel samples X at a normalized (x, y) from the
 * grid. Coordinates are computed elementwise; the samples are gathers from X flattened to
 * [N, C, H·W] at y·W + x, weighted (bilinear: 4 taps, bicubic: 16) and masked where the
 * padding mode says a tap outside the image reads zero.
 */

interface Sampler {
  readonly ctx: ImportContext;
  readonly flat: Value;
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly outHW: number;
  readonly zeros: boolean;
}

const f = (ctx: ImportContext, v: number) => ctx.scalar(v, 'f32');

/** Pixel coordinate from a normalized one along an axis of `size`. */
function denormalize(ctx: ImportContext, g: Value, size: number, alignCorners: boolean): Value {
  const plusOne = ctx.op('add', [g, f(ctx, 1)]);
  if (alignCorners) return ctx.op('mul', [plusOne, f(ctx, (size - 1) / 2)]);
  return ctx.op('div', [ctx.op('sub', [ctx.op('mul', [plusOne, f(ctx, size)]), f(ctx, 1)]), f(ctx, 2)]);
}

/** Reflects a coordinate into [lo, hi] (the border lines of pixel centres or edges). */
function reflect(ctx: ImportContext, x: Value, lo: number, hi: number): Value {
  const span = hi - lo;
  if (span <= 0) return ctx.op('mul', [x, f(ctx, 0)]);
  const d = ctx.op('abs', [ctx.op('sub', [x, f(ctx, lo)])]);
  const flips = ctx.op('floor', [ctx.op('div', [d, f(ctx, span)])]);
  const rem = ctx.op('sub', [d, ctx.op('mul', [flips, f(ctx, span)])]);
  const even = ctx.op('equal', [ctx.op('mod', [flips, f(ctx, 2)], { fmod: true }), f(ctx, 0)]);
  return ctx.op('where', [even, ctx.op('add', [rem, f(ctx, lo)]), ctx.op('sub', [f(ctx, hi), rem])]);
}

/** Applies the padding mode to a coordinate before sampling (zeros masks taps later). */
function pad(ctx: ImportContext, x: Value, size: number, mode: string, alignCorners: boolean): Value {
  if (mode === 'border') return ctx.op('clip', [x, f(ctx, 0), f(ctx, size - 1)]);
  if (mode === 'reflection') {
    const reflected = alignCorners ? reflect(ctx, x, 0, size - 1) : reflect(ctx, x, -0.5, size - 0.5);
    return ctx.op('clip', [reflected, f(ctx, 0), f(ctx, size - 1)]);
  }
  return x;
}

/** The value at integer pixel (iy, ix) [N, Ho·Wo] for every channel: [N, C, Ho·Wo]. */
function tap(s: Sampler, iy: Value, ix: Value): Value {
  const { ctx } = s;
  const inside = ctx.op('and', [
    ctx.op('and', [ctx.op('greaterEqual', [ix, f(ctx, 0)]), ctx.op('lessEqual', [ix, f(ctx, s.w - 1)])]),
    ctx.op('and', [ctx.op('greaterEqual', [iy, f(ctx, 0)]), ctx.op('lessEqual', [iy, f(ctx, s.h - 1)])]),
  ]);
  const cx = ctx.op('clip', [ix, f(ctx, 0), f(ctx, s.w - 1)]);
  const cy = ctx.op('clip', [iy, f(ctx, 0), f(ctx, s.h - 1)]);
  const index = ctx.op('cast', [ctx.op('add', [ctx.op('mul', [cy, f(ctx, s.w)]), cx])], { to: 'i32' });
  const spread = ctx.op('expand', [reshape(ctx, index, [s.n, 1, s.outHW])], { shape: [s.n, s.c, s.outHW] });
  const value = ctx.op('gatherElements', [s.flat, spread], { axis: 2 });
  if (!s.zeros) return value;
  return ctx.op('mul', [value, reshape(ctx, ctx.op('cast', [inside], { to: 'f32' }), [s.n, 1, s.outHW])]);
}

const weighted = (s: Sampler, v: Value, weight: Value) => s.ctx.op('mul', [v, reshape(s.ctx, weight, [s.n, 1, s.outHW])]);

/** Keys' cubic convolution weights for offsets t from the floor, A = −0.75 (as ONNX). */
function cubicWeights(ctx: ImportContext, t: Value): Value[] {
  const A = -0.75;
  const near = (d: Value) => ctx.op('add', [ctx.op('mul', [ctx.op('mul', [d, d]), ctx.op('sub', [ctx.op('mul', [d, f(ctx, A + 2)]), f(ctx, A + 3)])]), f(ctx, 1)]);
  const far = (d: Value) =>
    ctx.op('add', [ctx.op('mul', [ctx.op('sub', [ctx.op('mul', [ctx.op('sub', [ctx.op('mul', [d, f(ctx, A)]), f(ctx, 5 * A)]), d]), f(ctx, -8 * A)]), d]), f(ctx, -4 * A)]);
  const one = f(ctx, 1);
  return [far(ctx.op('add', [t, one])), near(t), near(ctx.op('sub', [one, t])), far(ctx.op('sub', [f(ctx, 2), t]))];
}

function gridSample(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const grid = input(node, 1);
  const [n, c, h, w] = staticShape(node, x);
  const gridShape = staticShape(node, grid, 'grid');
  if (gridShape.length !== 4) throw new UnsupportedOpError(`${node.where}: only 2-D GridSample is supported`);
  const [, ho, wo] = gridShape;
  const alignCorners = flag(node, 'align_corners', false);
  const mode = node.attrs.string('mode', 'bilinear');
  const padding = node.attrs.string('padding_mode', 'zeros');
  if (!['zeros', 'border', 'reflection'].includes(padding)) throw new UnsupportedOpError(`${node.where}: padding_mode '${padding}' is not supported`);
  const s: Sampler = { ctx, flat: reshape(ctx, x, [n, c, h * w]), n, c, h, w, outHW: ho * wo, zeros: padding === 'zeros' };
  const coordinate = (k: number, size: number) => {
    const g = reshape(ctx, ctx.op('slice', [grid], { starts: [k], ends: [k + 1], axes: [3], steps: [1] }), [n, ho * wo]);
    return pad(ctx, denormalize(ctx, g, size, alignCorners), size, padding, alignCorners);
  };
  const gx = coordinate(0, w);
  const gy = coordinate(1, h);
  let out: Value;
  if (mode === 'nearest') out = tap(s, ctx.op('round', [gy]), ctx.op('round', [gx]));
  else if (mode === 'bilinear' || mode === 'linear') {
    const [x0, y0] = [ctx.op('floor', [gx]), ctx.op('floor', [gy])];
    const [x1, y1] = [ctx.op('add', [x0, f(ctx, 1)]), ctx.op('add', [y0, f(ctx, 1)])];
    const [wx1, wy1] = [ctx.op('sub', [gx, x0]), ctx.op('sub', [gy, y0])];
    const [wx0, wy0] = [ctx.op('sub', [f(ctx, 1), wx1]), ctx.op('sub', [f(ctx, 1), wy1])];
    const terms = [
      weighted(s, tap(s, y0, x0), ctx.op('mul', [wy0, wx0])),
      weighted(s, tap(s, y0, x1), ctx.op('mul', [wy0, wx1])),
      weighted(s, tap(s, y1, x0), ctx.op('mul', [wy1, wx0])),
      weighted(s, tap(s, y1, x1), ctx.op('mul', [wy1, wx1])),
    ];
    out = terms.reduce((a, b) => ctx.op('add', [a, b]));
  } else if (mode === 'bicubic' || mode === 'cubic') {
    const [x0, y0] = [ctx.op('floor', [gx]), ctx.op('floor', [gy])];
    const wx = cubicWeights(ctx, ctx.op('sub', [gx, x0]));
    const wy = cubicWeights(ctx, ctx.op('sub', [gy, y0]));
    const terms: Value[] = [];
    for (let i = 0; i < 4; i++) {
      const yi = ctx.op('add', [y0, f(ctx, i - 1)]);
      for (let j = 0; j < 4; j++) {
        // Bicubic taps outside the image follow the padding mode too.
        const xj = ctx.op('add', [x0, f(ctx, j - 1)]);
        const [py, px] = s.zeros ? [yi, xj] : [pad(ctx, yi, h, padding, alignCorners), pad(ctx, xj, w, padding, alignCorners)];
        terms.push(weighted(s, tap(s, py, px), ctx.op('mul', [wy[i], wx[j]])));
      }
    }
    out = terms.reduce((a, b) => ctx.op('add', [a, b]));
  } else throw new UnsupportedOpError(`${node.where}: mode '${mode}' is not supported`);
  return [reshape(ctx, out, [n, c, ho, wo])];
}

defineOnnxOps({
  GridSample: gridSample,
});
