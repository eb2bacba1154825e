import type { Attrs, DType, HostTensor, StaticShape, TensorData } from '../../../ir/index.js';
import { numel, stridesOf } from '../../../ir/index.js';
import type { WindowGeometry } from '../../../ir/ops/nn.js';
import { windowGeometry } from '../../../ir/ops/nn.js';
import { scratch } from '../scratch.js';
import type { RefContext } from '../kernels.js';
import { registerRef } from '../kernels.js';

/**
 * Convolutions and pools as the textbook loops: every output (or, for the transposed and
 * gradient ops, every input) position walks its window. Nothing clever, so it can be trusted.
 */

/** Calls fn with every multi-index of `shape`, row-major (one call with [] for rank 0). */
function forEachIndex(shape: readonly number[], fn: (index: readonly number[]) => void): void {
  const index = new Array<number>(shape.length).fill(0);
  if (shape.some((d) => d === 0)) return;
  for (;;) {
    fn(index);
    let axis = shape.length - 1;
    while (axis >= 0 && ++index[axis] === shape[axis]) index[axis--] = 0;
    if (axis < 0) return;
  }
}

/** Row-major offset of a multi-index. */
function offsetOf(index: readonly number[], strides: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < index.length; i++) flat += index[i] * strides[i];
  return flat;
}

/** Input position of kernel tap k of the window at output position o (may be out of range). */
function tapPosition(g: WindowGeometry, o: readonly number[], k: readonly number[]): number[] {
  return o.map((oi, a) => oi * g.strides[a] - g.padsBegin[a] + k[a] * g.dilations[a]);
}

function inside(pos: readonly number[], spatial: readonly number[]): boolean {
  return pos.every((p, a) => p >= 0 && p < spatial[a]);
}

function result(ctx: RefContext, data: TensorData): HostTensor[] {
  const out = ctx.outputs[0];
  return [{ dtype: out.dtype, shape: out.shape, data }];
}

/** A view of an [N, C, spatial...] tensor addressed as (n, c, spatial index). */
class Image {
  readonly spatial: number[];
  readonly #strides: number[];
  constructor(readonly shape: StaticShape, readonly data: TensorData) {
    this.spatial = shape.slice(2);
    this.#strides = stridesOf(shape);
  }
  offset(n: number, c: number, pos: readonly number[]): number {
    return n * this.#strides[0] + c * this.#strides[1] + offsetOf(pos, this.#strides.slice(2));
  }
  get(n: number, c: number, pos: readonly number[]): number {
    return this.data[this.offset(n, c, pos)];
  }
}

/** y[n, m, o] = bias[m] + Σ_{c, k} x[n, g·Cg + c, o·s − pb + k·d] · w[m, c, k] over in-range taps. */
registerRef('conv', ([xt, wt, bias], ctx) => {
  const out = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  const x = new Image(xt.shape, xt.data);
  const w = new Image(wt.shape, wt.data);
  const g = windowGeometry(ctx.node.attrs, w.spatial, ctx.where);
  const [batch, outChannels] = out.shape;
  const inPerGroup = wt.shape[1];
  const outPerGroup = outChannels / (ctx.node.attrs.group as number);
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < outChannels; m++) {
      const group = Math.floor(m / outPerGroup);
      forEachIndex(out.spatial, (o) => {
        let acc = bias ? bias.data[m] : 0;
        for (let c = 0; c < inPerGroup; c++) {
          forEachIndex(w.spatial, (k) => {
            const pos = tapPosition(g, o, k);
            if (inside(pos, x.spatial)) acc += x.get(n, group * inPerGroup + c, pos) * w.get(m, c, k);
          });
        }
        out.data[out.offset(n, m, o)] = acc;
      });
    }
  }
  return result(ctx, out.data);
});

/**
 * Transposed convolution by scattering: every input element adds x · w[c, m, k] into the output
 * position its tap k reaches (o = i·s − pb + k·d), the exact adjoint of conv's gather.
 */
function scatterTransposed(xt: HostTensor, wt: HostTensor, bias: HostTensor | undefined, attrs: Attrs, ctx: RefContext): HostTensor[] {
  const out = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  const x = new Image(xt.shape, xt.data);
  const w = new Image(wt.shape, wt.data);
  const g = windowGeometry(attrs, w.spatial, ctx.where, true);
  const [batch, outChannels] = out.shape;
  const inChannels = xt.shape[1];
  const outPerGroup = wt.shape[1];
  const inPerGroup = inChannels / (attrs.group as number);
  if (bias) for (let n = 0; n < batch; n++) for (let m = 0; m < outChannels; m++) forEachIndex(out.spatial, (o) => (out.data[out.offset(n, m, o)] = bias.data[m]));
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < inChannels; c++) {
      const group = Math.floor(c / inPerGroup);
      forEachIndex(x.spatial, (i) => {
        const v = x.get(n, c, i);
        for (let ml = 0; ml < outPerGroup; ml++) {
          forEachIndex(w.spatial, (k) => {
            const pos = tapPosition(g, i, k);
            if (inside(pos, out.spatial)) out.data[out.offset(n, group * outPerGroup + ml, pos)] += v * w.get(c, ml, k);
          });
        }
      });
    }
  }
  return result(ctx, out.data);
}

registerRef('convTranspose', ([x, w, bias], ctx) => scatterTransposed(x, w, bias, ctx.node.attrs, ctx));

/** dx of conv: the transposed conv of dy with the same weight, sized to the forward input. */
registerRef('convGradInput', ([dy, w], ctx) => scatterTransposed(dy, w, undefined, ctx.node.attrs, ctx));

/** dw[m, c, k] = Σ_{n, o} dy[n, m, o] · x[n, g·Cg + c, o·s − pb + k·d]. */
registerRef('convGradWeight', ([xt, dyt], ctx) => {
  const dw = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  const x = new Image(xt.shape, xt.data);
  const dy = new Image(dyt.shape, dyt.data);
  const g = windowGeometry(ctx.node.attrs, dw.spatial, ctx.where);
  const [outChannels, inPerGroup] = dw.shape;
  const outPerGroup = outChannels / (ctx.node.attrs.group as number);
  for (let n = 0; n < xt.shape[0]; n++) {
    for (let m = 0; m < outChannels; m++) {
      const group = Math.floor(m / outPerGroup);
      forEachIndex(dy.spatial, (o) => {
        const grad = dy.get(n, m, o);
        for (let c = 0; c < inPerGroup; c++) {
          forEachIndex(dw.spatial, (k) => {
            const pos = tapPosition(g, o, k);
            if (inside(pos, x.spatial)) dw.data[dw.offset(m, c, k)] += grad * x.get(n, group * inPerGroup + c, pos);
          });
        }
      });
    }
  }
  return result(ctx, dw.data);
});

function poolGeometry(attrs: Attrs, where: string): WindowGeometry {
  return windowGeometry(attrs, attrs.kernelShape as number[], where);
}

/**
 * Visits every (n, c, window) of a pool: `visit` gets the in-range input positions of the window
 * (row-major tap order) and the window's divisor for averaging.
 */
function forEachWindow(
  x: Image,
  outSpatial: readonly number[],
  g: WindowGeometry,
  attrs: Attrs,
  visit: (n: number, c: number, o: readonly number[], taps: number[][], divisor: number) => void,
): void {
  const countPads = attrs.countIncludePad === true;
  forEachIndex(x.shape.slice(0, 2), ([n, c]) => {
    forEachIndex(outSpatial, (o) => {
      const taps: number[][] = [];
      let padded = 0;
      forEachIndex(g.kernel, (k) => {
        const pos = tapPosition(g, o, k);
        if (inside(pos, x.spatial)) taps.push(pos);
        // Pads count toward the divisor, positions past the end padding (ceil mode) never do.
        if (pos.every((p, a) => p >= -g.padsBegin[a] && p < x.spatial[a] + g.padsEnd[a])) padded++;
      });
      visit(n, c, o, taps, countPads ? padded : taps.length);
    });
  });
}

/** The identity of max for a dtype: padding and empty windows never win. */
function lowest(dtype: DType): number {
  return dtype === 'i32' ? -2147483648 : dtype === 'u32' ? 0 : -Infinity;
}

registerRef('maxPool', ([xt], ctx) => {
  const x = new Image(xt.shape, xt.data);
  const out = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  forEachWindow(x, out.spatial, poolGeometry(ctx.node.attrs, ctx.where), ctx.node.attrs, (n, c, o, taps) => {
    let best = lowest(xt.dtype);
    for (const pos of taps) best = Math.max(best, x.get(n, c, pos));
    out.data[out.offset(n, c, o)] = best;
  });
  return result(ctx, out.data);
});

registerRef('avgPool', ([xt], ctx) => {
  const x = new Image(xt.shape, xt.data);
  const out = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  forEachWindow(x, out.spatial, poolGeometry(ctx.node.attrs, ctx.where), ctx.node.attrs, (n, c, o, taps, divisor) => {
    let sum = 0;
    for (const pos of taps) sum += x.get(n, c, pos);
    out.data[out.offset(n, c, o)] = sum / divisor;
  });
  return result(ctx, out.data);
});

registerRef('lpPool', ([xt], ctx) => {
  const x = new Image(xt.shape, xt.data);
  const out = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  const p = ctx.node.attrs.p as number;
  forEachWindow(x, out.spatial, poolGeometry(ctx.node.attrs, ctx.where), ctx.node.attrs, (n, c, o, taps) => {
    let sum = 0;
    for (const pos of taps) sum += Math.abs(x.get(n, c, pos)) ** p;
    out.data[out.offset(n, c, o)] = sum ** (1 / p);
  });
  return result(ctx, out.data);
});

/** Each window's gradient goes to its first maximum (strictly greater replaces, in tap order). */
registerRef('maxPoolGrad', ([xt, dyt], ctx) => {
  const x = new Image(xt.shape, xt.data);
  const dy = new Image(dyt.shape, dyt.data);
  const dx = new Image(xt.shape, scratch(ctx.outputs[0].dtype, numel(xt.shape)));
  forEachWindow(x, dy.spatial, poolGeometry(ctx.node.attrs, ctx.where), ctx.node.attrs, (n, c, o, taps) => {
    let best = -Infinity;
    let at: number[] | null = null;
    for (const pos of taps) {
      const v = x.get(n, c, pos);
      if (v > best) [best, at] = [v, pos];
    }
    if (at) dx.data[dx.offset(n, c, at)] += dy.get(n, c, o);
  });
  return result(ctx, dx.data);
});

registerRef('avgPoolGrad', ([dyt], ctx) => {
  const dy = new Image(dyt.shape, dyt.data);
  const dx = new Image(ctx.outputs[0].shape, scratch(ctx.outputs[0].dtype, numel(ctx.outputs[0].shape)));
  forEachWindow(dx, dy.spatial, poolGeometry(ctx.node.attrs, ctx.where), ctx.node.attrs, (n, c, o, taps, divisor) => {
    const share = dy.get(n, c, o) / divisor;
    for (const pos of taps) dx.data[dx.offset(n, c, pos)] += share;
  });
  return result(ctx, dx.data);
});
