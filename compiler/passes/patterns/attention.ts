import type { Node, Value } from '../../../ir/index.js';
import { hostTensor, normalizeAxis } from '../../../ir/index.js';
import { producedBy } from '../match.js';
import type { RewriteContext } from '../rewrite.js';

/**
 * Scaled dot-product attention as graphs write it, from the output matmul up:
 *   matmul(softmax(add(mul(matmul(q, k), scale), mask), axis: last), v) → attention(q, k, v, scale, mask)
 * with the scale (a one-element tensor, multiplied or divided by) and the additive mask each
 * optional, the mask on either side of the add. Every intermediate must be read by the next op
 * only (a training graph keeps the probabilities for its backward pass: nothing to fuse there),
 * and q, k, v must have one rank and the same batch dims.
 */
export function matchAttention(ctx: RewriteContext, v: Value): Value[] | undefined {
  const out = v.producer;
  if (!out || out.op !== 'matmul' || v.type.dtype !== 'f32') return undefined;
  const [p, values] = out.inputs;
  const softmax = onlyInto(ctx, p, 'softmax');
  const rank = p.type.shape.length;
  if (!softmax || rank < 2 || normalizeAxis(softmax.attrs.axis as number, rank, `softmax '${softmax.name}'`) !== rank - 1) return undefined;

  let x = softmax.inputs[0];
  let mask: Value | undefined;
  const add = onlyInto(ctx, x, 'add');
  if (add) {
    const [a, b] = add.inputs;
    // The scores come from a matmul (through the scale); the other operand is the mask.
    const scoresFirst = leadsToScores(ctx, a, rank);
    if (!scoresFirst && !leadsToScores(ctx, b, rank)) return undefined;
    [x, mask] = scoresFirst ? [a, b] : [b, a];
    if (mask.type.dtype !== v.type.dtype || mask.type.shape.length > rank) return undefined;
  }
  let scale: Value | undefined;
  const scaled = onlyInto(ctx, x, 'mul', 'div');
  if (scaled) {
    const found = scaleOperand(ctx, scaled);
    if (!found) return undefined;
    [x, scale] = found;
  }
  const scores = onlyInto(ctx, x, 'matmul');
  if (!scores) return undefined;
  const [q, k] = scores.inputs;
  const batch = q.type.shape.slice(0, -2);
  const sameBatch = (t: Value) => t.type.shape.length === rank && t.type.shape.slice(0, -2).every((d, i) => d === batch[i]);
  if (q.type.shape.length !== rank || !sameBatch(k) || !sameBatch(values)) return undefined;
  scale ??= ctx.constant(hostTensor('f32', [], [1]), `${out.name}/scale`);
  if (scale.type.dtype !== 'f32') return undefined;
  return ctx.emit('attention', mask ? [q, k, values, scale, mask] : [q, k, values, scale], {}, out.name);
}

/** The node of `op` producing `v` when `v` feeds nothing else (and is no output or state update). */
function onlyInto(ctx: RewriteContext, v: Value, ...ops: string[]): Node | undefined {
  const node = producedBy(v, ...ops);
  return node && ctx.uses(v) === 1 && !ctx.escapes(v) ? node : undefined;
}

/** Whether `v` is the score matmul's result, scaled or not. */
function leadsToScores(ctx: RewriteContext, v: Value, rank: number): boolean {
  const scaled = onlyInto(ctx, v, 'mul', 'div');
  const scores = scaled ? scaleOperand(ctx, scaled)?.[0] : v;
  return scores !== undefined && v.type.shape.length === rank && onlyInto(ctx, scores, 'matmul') !== undefined;
}

/** [the scaled value, the scale] of `x * s`, `s * x` or `x / c` with a one-element s or constant c. */
function scaleOperand(ctx: RewriteContext, node: Node): [Value, Value] | undefined {
  const one = (t: Value) => t.type.shape.every((d) => d === 1);
  const [a, b] = node.inputs;
  if (node.op === 'mul') {
    if (one(b) && producedBy(a, 'matmul')) return [a, b];
    if (one(a) && producedBy(b, 'matmul')) return [b, a];
    return undefined;
  }
  // x / c with a constant c: its reciprocal, computed here, is the scale.
  const c = one(b) && producedBy(a, 'matmul') ? ctx.constantOf(b) : undefined;
  if (!c || c.dtype !== 'f32') return undefined;
  return [a, ctx.constant(hostTensor(c.dtype, [], [1 / Number(c.data[0])]), `${node.name}/reciprocal`)];
}
