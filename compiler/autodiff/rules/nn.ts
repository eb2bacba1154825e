import type { Attrs, Dim } from '../../../ir/index.js';
import { UnsupportedOpError } from '../../../ir/index.js';
import type { WindowGeometry } from '../../../ir/ops/nn.js';
import { slidingOutputSize, windowExtent, windowGeometry } from '../../../ir/ops/nn.js';
import type { Tensor } from '../../dsl/tensor.js';
import type { GradContext } from '../registry.js';
import { registerGrad } from '../registry.js';

/**
 * Convolutions and pools. Forward ops differentiate into the dedicated backward ops
 * (convGradInput, convGradWeight, maxPoolGrad, avgPoolGrad); those are linear in their gradient
 * operand, so their own rules (second order) are the forward ops again, transposed.
 */

const CONV_KEYS = ['strides', 'pads', 'dilations', 'group'] as const;
const POOL_KEYS = ['kernelShape', 'strides', 'pads', 'dilations', 'ceilMode'] as const;

function pick(attrs: Attrs, keys: readonly string[]): Record<string, Attrs[string]> {
  const out: Record<string, Attrs[string]> = {};
  for (const k of keys) if (k in attrs) out[k] = attrs[k];
  return out;
}

const convAttrs = (ctx: GradContext) => pick(ctx.node.attrs, CONV_KEYS);
const dims = (t: Tensor): Dim[] => [...t.shape];
/** Sums a per-channel bias gradient: every axis but 1. */
const biasGrad = (dy: Tensor) => dy.sum([0, ...Array.from({ length: dy.rank - 2 }, (_, i) => i + 2)]);

registerGrad('conv', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy) return ctx.x.map(() => null);
  const [x, w] = ctx.x;
  const attrs = convAttrs(ctx);
  return [
    ctx.needs[0] ? dy.apply('convGradInput', [w], { ...attrs, inputShape: dims(x) }) : null,
    ctx.needs[1] ? x.apply('convGradWeight', [dy], { ...attrs, weightShape: dims(w) }) : null,
    ctx.x[2] && ctx.needs[2] ? biasGrad(dy) : null,
  ];
});

/**
 * convTranspose is conv's input-adjoint: its input gradient is a conv of dy with the same
 * weight, and its weight gradient is conv's weight gradient with dy and x in swapped roles.
 */
registerGrad('convTranspose', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy) return ctx.x.map(() => null);
  const [x, w] = ctx.x;
  const attrs = convAttrs(ctx);
  if (((attrs.pads as number[] | undefined) ?? []).some((p) => p < 0)) {
    throw new UnsupportedOpError(`convTranspose '${ctx.node.name}': no gradient for negative pads`);
  }
  return [
    ctx.needs[0] ? dy.apply('conv', [w], attrs) : null,
    ctx.needs[1] ? dy.apply('convGradWeight', [x], { ...attrs, weightShape: dims(w) }) : null,
    ctx.x[2] && ctx.needs[2] ? biasGrad(dy) : null,
  ];
});

registerGrad('maxPool', ({ x: [x], dy: [dy], node }) => [dy && x.apply('maxPoolGrad', [dy], pick(node.attrs, POOL_KEYS))]);

registerGrad('avgPool', ({ x: [x], dy: [dy], node }) => [
  dy && dy.apply('avgPoolGrad', [], { ...pick(node.attrs, [...POOL_KEYS, 'countIncludePad']), inputShape: dims(x) }),
]);

/**
 * lpPool: y = (Σ_w |x|^p)^(1/p), so dx_i = sign(x_i)|x_i|^(p-1) · Σ_{w ∋ i} dy_w · y_w^(1-p). The
 * sum over the windows holding i is avgPoolGrad with pads counted (divisor = kernel size),
 * scaled back by the kernel size.
 */
registerGrad('lpPool', ({ x: [x], y: [y], dy: [dy], node }) => {
  if (!dy) return [null];
  if (node.attrs.ceilMode) throw new UnsupportedOpError(`lpPool '${node.name}': no gradient in ceil mode`);
  const p = node.attrs.p as number;
  const size = (node.attrs.kernelShape as number[]).reduce((a, b) => a * b, 1);
  const spread = dy.mul(y.pow(1 - p)).mul(size).apply('avgPoolGrad', [], { ...pick(node.attrs, POOL_KEYS), countIncludePad: true, inputShape: dims(x) });
  return [x.abs().pow(p - 1).mul(x.sign()).mul(spread)];
});

/** convGradInput(dy, w) is linear in both: its adjoints are conv and convGradWeight. */
registerGrad('convGradInput', (ctx) => {
  const g = ctx.dy[0];
  if (!g) return [null, null];
  const [dy, w] = ctx.x;
  const attrs = convAttrs(ctx);
  return [ctx.needs[0] ? g.apply('conv', [w], attrs) : null, ctx.needs[1] ? g.apply('convGradWeight', [dy], { ...attrs, weightShape: dims(w) }) : null];
});

/** convGradWeight(x, dy) is linear in both: its adjoints are convGradInput and conv. */
registerGrad('convGradWeight', (ctx) => {
  const g = ctx.dy[0];
  if (!g) return [null, null];
  const [x, dy] = ctx.x;
  const attrs = convAttrs(ctx);
  return [ctx.needs[0] ? dy.apply('convGradInput', [g], { ...attrs, inputShape: dims(x) }) : null, ctx.needs[1] ? x.apply('conv', [g], attrs) : null];
});

/** avgPoolGrad is avgPool's adjoint, so its own adjoint is avgPool. */
registerGrad('avgPoolGrad', ({ dy: [g], node }) => [g && g.apply('avgPool', [], pick(node.attrs, [...POOL_KEYS, 'countIncludePad']))]);

/**
 * Each window's tap as a strided slice of the padded input: [N, C, out...] per kernel offset,
 * in row-major tap order (the order maxPoolGrad breaks ties in).
 */
function windowTaps(t: Tensor, g: WindowGeometry, out: readonly number[], fill: number): Tensor[] {
  const spatial = t.rank - 2;
  const padEnd = Array.from({ length: spatial }, (_, a) => Math.max(0, (out[a] - 1) * g.strides[a] + windowExtent(g, a) - g.padsBegin[a] - (t.shape[a + 2] as number)));
  const padded = t.pad([0, 0, ...g.padsBegin, 0, 0, ...padEnd], 'constant', fill);
  const taps: Tensor[] = [];
  const offsets = g.kernel.reduce<number[][]>((acc, k) => acc.flatMap((o) => Array.from({ length: k }, (_, i) => [...o, i])), [[]]);
  for (const offset of offsets) {
    const starts = offset.map((k, a) => k * g.dilations[a]);
    const ends = starts.map((s, a) => s + (out[a] - 1) * g.strides[a] + 1);
    taps.push(padded.slice(starts, ends, starts.map((_, a) => a + 2), [...g.strides]));
  }
  return taps;
}

/**
 * maxPoolGrad(x, dy) routes dy to each window's first maximum: linear in dy, piecewise constant
 * in x (no gradient). Its adjoint in dy reads, for each window, the incoming gradient at that
 * window's first maximum.
 */
registerGrad('maxPoolGrad', ({ x: [x], dy: [g], needs, node }) => {
  if (!g || !needs[1]) return [null, null];
  const geometry = windowGeometry(node.attrs, node.attrs.kernelShape as number[], `maxPoolGrad '${node.name}'`);
  const out = x.shape.slice(2).map((d, a) => slidingOutputSize(d as number, geometry, a, node.attrs.ceilMode as boolean));
  const values = windowTaps(x, geometry, out, -Infinity);
  const grads = windowTaps(g, geometry, out, 0);
  let best = values[0];
  let picked = grads[0];
  for (let k = 1; k < values.length; k++) {
    const better = values[k].greater(best);
    picked = better.where(grads[k], picked);
    best = better.where(values[k], best);
  }
  return [null, picked];
});
