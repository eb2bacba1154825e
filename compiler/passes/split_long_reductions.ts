import type { Graph, Node, StaticShape, Value } from '../../ir/index.js';
import { isFloat, isStaticShape, numel, reducedAxes } from '../../ir/index.js';
import type { RewriteContext } from './rewrite.js';
import { rewriteGraph } from './rewrite.js';

/**
 * Splits a reduction with few outputs and a long extent in two. Codegen runs a reduction as one
 * invocation per output looping over what it reduces (targets/wgsl/ops/reduce.ts), so a gradient's
 * squared norm (200,704 elements of an MLP's first layer into one number, every training step)
 * or batch-norm statistics (64 channels over N·H·W) ran on one or a few lanes: 1.1 ms of a
 * 12.5 ms MLP step for the one norm. Split one reduced axis of size s into [s/P, P] and reduce in
 * two steps, each an ordinary reduction:
 *
 *   reduce(x, axes)  →  reshape(reduce(reduce(reshape(x, …, s/P, P, …), axes + s/P, keepdims), P + axes), out)
 *
 * The first runs on outputs × P invocations, each over extent / P elements; the second reduces
 * P partials per output. P is the inner factor, so neighbouring invocations of the first read
 * neighbouring addresses (coalesced on a GPU). Exact for max and min, and for an integer sum
 * (wrapping addition is associative); a float sum is reassociated (a different rounding, as any
 * parallel sum); a float mean is a mean of equal-sized means. An integer mean (truncating), f16
 * (its partials would be rounded to f16) and a product are left alone, as are symbolic shapes.
 */

/**
 * Split only reductions whose outputs fit in one workgroup (codegen's 64 invocations): those run
 * on one core or SM whatever the device. Past a few lane-vectors of outputs the gain shrinks to
 * nothing on lavapipe (32 channels over 64·14·14 measured the same split or not, 0.78 vs 0.77 ms:
 * memory-bound), so wider reductions keep their single kernel.
 */
const MAX_OUTPUTS = 64;
/** Invocations the first step aims for: enough for a GPU, far more than lavapipe's 2 × 8 lanes. */
const TARGET_INVOCATIONS = 2048;
/** Below this many elements per output a single loop is cheap enough. */
const MIN_EXTENT = 2048;
/** Elements each invocation of the first step reduces, at least. */
const MIN_CHUNK = 64;
/** A split into fewer parts does not pay for its second kernel. */
const MIN_PARTS = 4;

const SPLIT_OPS = new Set(['reduceSum', 'reduceMean', 'reduceMax', 'reduceMin']);

export function splitLongReductions(graph: Graph): Graph {
  return rewriteGraph(graph, splitNode);
}

/** Where to split: the reduced axis and its inner factor P. */
export interface ReductionSplit {
  readonly axis: number;
  readonly parts: number;
}

/**
 * The split of a reduction of `shape` over `axes` (sorted, normalized), or null when it has enough
 * outputs already, too short an extent, or no reduced axis with a divisor in range. The largest P
 * up to what the target asks wins; among equals, the innermost axis (contiguous reads).
 */
export function chooseSplit(shape: StaticShape, axes: readonly number[]): ReductionSplit | null {
  const extent = axes.reduce((p, a) => p * shape[a], 1);
  const outputs = numel(shape) / Math.max(extent, 1);
  if (extent < MIN_EXTENT || outputs > MAX_OUTPUTS) return null;
  const wanted = Math.min(Math.ceil(TARGET_INVOCATIONS / outputs), Math.floor(extent / MIN_CHUNK));
  let best: ReductionSplit | null = null;
  for (const axis of axes) {
    const size = shape[axis];
    for (let parts = Math.min(size, wanted); parts >= MIN_PARTS; parts--) {
      if (size % parts !== 0) continue;
      if (!best || parts >= best.parts) best = { axis, parts };
      break;
    }
  }
  return best;
}

function splitNode(node: Node, ctx: RewriteContext): Value[] | null {
  if (!SPLIT_OPS.has(node.op)) return null;
  const x = ctx.map(node.inputs[0]);
  const shape = x.type.shape;
  if (!isStaticShape(shape)) return null;
  // f16 partials would be rounded to f16 between the steps, where one kernel accumulates in f32
  // and rounds once; an integer mean truncates per step.
  if (x.type.dtype === 'f16' || (node.op === 'reduceMean' && !isFloat(x.type.dtype))) return null;
  const axes = reducedAxes(shape.length, node.attrs.axes as number[], node.name);
  const split = chooseSplit(shape, axes);
  if (!split) return null;
  const out = node.outputs[0].type.shape as StaticShape;
  const { axis, parts } = split;
  // x: [..., s, ...] → [..., s/P, P, ...]: axis `axis` is the outer factor, `axis + 1` the parts.
  const splitShape = [...shape.slice(0, axis), shape[axis] / parts, parts, ...shape.slice(axis + 1)];
  const moved = (a: number) => (a > axis ? a + 1 : a);
  const firstAxes = axes.map(moved);
  const secondAxes = [...firstAxes, axis + 1].sort((a, b) => a - b);
  const [reshaped] = ctx.emit('reshape', [x], { shape: splitShape }, `${node.name}/split`);
  const [partial] = ctx.emit(node.op, [reshaped], { axes: firstAxes, keepdims: true }, `${node.name}/parts`);
  const [total] = ctx.emit(node.op, [partial], { axes: secondAxes, keepdims: false }, `${node.name}/total`);
  return ctx.emit('reshape', [total], { shape: [...out] }, node.name);
}
