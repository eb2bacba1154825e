import type { Dim, Shape } from '../../ir/index.js';
import { shapesEqual } from '../../ir/index.js';
import type { Tensor } from '../dsl/tensor.js';

/**
 * Sums a broadcast gradient back to the shape of the operand that was broadcast: leading axes
 * the operand lacked and axes where it had size 1 are summed out.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
  }
  const out = axes.length ? g.sum(axes, true) : g;
  return reshapeTo(out, shape);
}

/** Element count of the given axes: a number when static, else a graph value. */
export function countOf(x: Tensor, axes: readonly number[]): number | Tensor {
  const dims = axes.map((a) => x.shape[a]);
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  // Symbolic: count at run time as the sum of ones over those axes. The ones come from x itself
  // (not a fill with symbolic attributes), so the reference interpreter runs the graph as-is.
  return onesLike(x).sum([...axes], true);
}

/** Axes a reduction with `axes` (empty = all) covers, normalized and sorted. */
export function reductionAxes(rank: number, axes: readonly number[]): number[] {
  if (axes.length === 0) return [...Array(rank).keys()];
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/** A reduction's output gradient with the reduced axes restored as size 1. */
export function keepDims(dy: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  return keepdims || axes.length === 0 ? dy : dy.unsqueeze([...axes]);
}

/**
 * Reshapes only when the shape differs (a reshape is a kernel until fusion removes it). One
 * symbolic dim becomes -1, inferred from the element count, so the graph also runs unspecialized.
 */
export function reshapeTo(t: Tensor, shape: Shape): Tensor {
  if (shapesEqual(t.shape, shape)) return t;
  const symbolic = shape.filter((d) => typeof d === 'string').length;
  return t.reshape(symbolic === 1 ? shape.map((d) => (typeof d === 'string' ? -1 : d)) : (shape as Dim[]));
}

/** Ones of x's shape and dtype, built elementwise from x (NaN-proof, symbolic-shape-proof). */
export function onesLike(x: Tensor): Tensor {
  const nan = x.isNaN();
  return nan.or(nan.not()).cast(x.dtype);
}

/** t broadcast to the shape of `like`: an expand, or a select over `like` when it is symbolic. */
export function broadcastLike(t: Tensor, like: Tensor): Tensor {
  if (shapesEqual(t.shape, like.shape)) return t;
  if (like.shape.every((d) => typeof d === 'number')) return t.expand([...like.shape]);
  const nan = like.isNaN();
  return nan.where(t, t);
}
