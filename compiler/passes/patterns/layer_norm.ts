import type { Attrs, Node, Value } from '../../../ir/index.js';
import { hostTensor, inferOp, isFloat, reducedAxes, shapesEqual } from '../../../ir/index.js';
import { hasShape, producedBy, sameValue, splatValue } from '../match.js';
import type { RewriteContext } from '../rewrite.js';

/**
 * Layer normalization as exporters decompose it over the trailing axes A:
 *   mean = reduceMean(x, A, keepdims);  d = x - mean
 *   var  = reduceMean(d², A, keepdims)  with d² as pow(d, 2) or d·d
 *   n    = d / sqrt(var + eps)  or  d · rsqrt(var + eps)  (or reciprocal(sqrt(…)), 1/sqrt(…))
 * → layerNorm(x) {axis: first of A, epsilon: eps}; then `n · g` and `n·g + b` take the scale
 * and bias in (each when nothing else reads the intermediate), as separate steps, so the
 * pattern matches with or without the affine part.
 */
export function matchLayerNorm(ctx: RewriteContext, v: Value): Value[] | undefined {
  const node = v.producer;
  if (!node || !isFloat(v.type.dtype)) return undefined;
  if (node.op === 'div') return normalized(ctx, v, node.inputs[0], sqrtArgument(ctx, node.inputs[1]));
  if (node.op !== 'mul') return undefined;
  for (const [d, r] of [node.inputs, [...node.inputs].reverse()]) {
    const found = normalized(ctx, v, d, rsqrtArgument(ctx, r)) ?? withScale(ctx, v, d, r);
    if (found) return found;
  }
  return undefined;
}

/** `b` + layerNorm(x, g) → layerNorm(x, g, b); layerNorm(x) + b takes a scale of ones. */
export function matchLayerNormBias(ctx: RewriteContext, v: Value): Value[] | undefined {
  const node = v.producer;
  if (node?.op !== 'add') return undefined;
  for (const [l, bias] of [node.inputs, [...node.inputs].reverse()]) {
    const ln = producedBy(l, 'layerNorm');
    if (!ln || ln.inputs.length === 3 || !readOnlyHere(ctx, l)) continue;
    let scale = ln.inputs[1];
    if (!scale) {
      if (l.type.dtype !== 'f32') continue;
      scale = ctx.constant(hostTensor('f32', [1], [1]), `${ln.name}/ones`);
    }
    const fitted = fitToNormalized(ctx, bias, ln);
    const found = fitted && emitIfFits(ctx, v, [ln.inputs[0], scale, fitted], ln.attrs, node.name);
    if (found) return found;
  }
  return undefined;
}

function readOnlyHere(ctx: RewriteContext, v: Value): boolean {
  return ctx.uses(v) === 1 && !ctx.escapes(v);
}

function withScale(ctx: RewriteContext, v: Value, l: Value, scale: Value): Value[] | undefined {
  const ln = producedBy(l, 'layerNorm');
  if (!ln || ln.inputs.length !== 1 || !readOnlyHere(ctx, l)) return undefined;
  const fitted = fitToNormalized(ctx, scale, ln);
  return fitted && emitIfFits(ctx, v, [ln.inputs[0], fitted], ln.attrs, v.producer!.name);
}

/**
 * `p` with the leading size-1 dims beyond the normalized rank removed ([1,C] → [C], as ONNX's
 * LayerNormalization body flattens its scale), or undefined when it has other leading dims.
 */
function fitToNormalized(ctx: RewriteContext, p: Value, ln: Node): Value | undefined {
  const x = ln.inputs[0];
  const normalizedRank = x.type.shape.length - (ln.attrs.axis as number);
  const extra = p.type.shape.length - normalizedRank;
  if (extra <= 0) return p;
  if (p.type.shape.slice(0, extra).some((d) => d !== 1)) return undefined;
  const t = ctx.constantOf(p);
  if (t) return ctx.constant({ ...t, shape: t.shape.slice(extra) }, `${p.name}/squeezed`);
  return ctx.emit('squeeze', [p], { axes: [...Array(extra).keys()] }, `${p.name}/squeezed`)[0];
}

/** The layerNorm, when its operands fit and it keeps the shape of the value it replaces. */
function emitIfFits(ctx: RewriteContext, v: Value, inputs: Value[], attrs: Attrs, name: string): Value[] | undefined {
  try {
    const { outputs } = inferOp('layerNorm', inputs.map((x) => x.type), attrs, `layerNorm '${name}'`);
    if (!shapesEqual(outputs[0].shape, v.type.shape)) return undefined;
  } catch {
    return undefined;
  }
  return ctx.emit('layerNorm', inputs, attrs, name);
}

/** u when `s` is sqrt(u) or pow(u, 0.5). */
function sqrtArgument(ctx: RewriteContext, s: Value): Value | undefined {
  return producedBy(s, 'sqrt')?.inputs[0] ?? powArgument(ctx, s, 0.5);
}

/** u when `r` is rsqrt(u), reciprocal(sqrt(u)), 1 / sqrt(u) or pow(u, -0.5). */
function rsqrtArgument(ctx: RewriteContext, r: Value): Value | undefined {
  const p = r.producer;
  if (!p) return undefined;
  if (p.op === 'rsqrt') return p.inputs[0];
  if (p.op === 'reciprocal') return sqrtArgument(ctx, p.inputs[0]);
  if (p.op === 'div' && splatValue(ctx, p.inputs[0]) === 1) return sqrtArgument(ctx, p.inputs[1]);
  return powArgument(ctx, r, -0.5);
}

function powArgument(ctx: RewriteContext, v: Value, exponent: number): Value | undefined {
  const pow = producedBy(v, 'pow');
  return pow && splatValue(ctx, pow.inputs[1]) === exponent ? pow.inputs[0] : undefined;
}

/** layerNorm(x) when `d` is x - mean(x) and `varianceEps` is mean(d²) + eps over trailing axes. */
function normalized(ctx: RewriteContext, v: Value, d: Value, varianceEps: Value | undefined): Value[] | undefined {
  if (!varianceEps) return undefined;
  const sub = producedBy(d, 'sub');
  const mean = sub && producedBy(sub.inputs[1], 'reduceMean');
  if (!sub || !mean || !sameValue(mean.inputs[0], sub.inputs[0])) return undefined;
  const x = sub.inputs[0];
  const axes = keptTrailingAxes(x, mean.attrs);
  if (axes === undefined) return undefined;

  let variance = varianceEps;
  let epsilon = 0;
  const add = producedBy(varianceEps, 'add');
  if (add) {
    const [a, b] = add.inputs;
    const eps = splatValue(ctx, b) ?? splatValue(ctx, a);
    if (eps === undefined || !(eps >= 0)) return undefined;
    variance = splatValue(ctx, b) === undefined ? b : a;
    epsilon = shortestEquivalent(eps, ctx.constantOf(a === variance ? b : a)?.dtype === 'f32');
  }
  if (!isVarianceOf(ctx, variance, x, sub.inputs[1], d, axes) || !hasShape(x, v.type.shape)) return undefined;
  return ctx.emit('layerNorm', [x], { axis: axes[0], epsilon }, v.producer!.name);
}

/**
 * Whether `variance` is mean((x - mean)²) — or mean(x²) - mean², the form of ONNX's own
 * LayerNormalization function body (layerNorm computes the two-pass form: more accurate).
 */
function isVarianceOf(ctx: RewriteContext, variance: Value, x: Value, mean: Value, d: Value, axes: number[]): boolean {
  const meanOf = (v: Value) => {
    const r = producedBy(v, 'reduceMean');
    return r && sameAxes(keptTrailingAxes(x, r.attrs), axes) ? r.inputs[0] : undefined;
  };
  const squared = meanOf(variance);
  if (squared) return isSquareOf(ctx, squared, d);
  const sub = producedBy(variance, 'sub');
  const meanOfSquares = sub && meanOf(sub.inputs[0]);
  return meanOfSquares !== undefined && isSquareOf(ctx, meanOfSquares, x) && isSquareOf(ctx, sub!.inputs[1], mean);
}

/** An f32 constant's value in its shortest decimal spelling (1e-5, not 0.000009999999747). */
function shortestEquivalent(v: number, isF32: boolean): number {
  if (!isF32) return v;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

/** The reduced axes when a reduction keeps dims and reduces the trailing axes of x. */
function keptTrailingAxes(x: Value, attrs: Attrs): number[] | undefined {
  if (!(attrs.keepdims as boolean)) return undefined;
  const rank = x.type.shape.length;
  const axes = reducedAxes(rank, attrs.axes as number[], 'layerNorm pattern');
  return axes.length > 0 && axes.every((a, i) => a === rank - axes.length + i) ? axes : undefined;
}

function sameAxes(a: number[] | undefined, b: number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether `sq` is pow(d, 2) or d·d. */
function isSquareOf(ctx: RewriteContext, sq: Value, d: Value): boolean {
  const p = sq.producer;
  if (p?.op === 'pow') return splatValue(ctx, p.inputs[1]) === 2 && sameValue(p.inputs[0], d);
  if (p?.op === 'mul') return sameValue(p.inputs[0], d) && sameValue(p.inputs[1], d);
  return false;
}
