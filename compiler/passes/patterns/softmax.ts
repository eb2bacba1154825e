import type { Node, Value } from '../../../ir/index.js';
import { isFloat, reducedAxes } from '../../../ir/index.js';
import { hasShape, producedBy, sameValue } from '../match.js';
import type { RewriteContext } from '../rewrite.js';

/**
 * softmax and logSoftmax as exporters decompose them along one axis a:
 *   exp(x - reduceMax(x)) / reduceSum(exp(x - reduceMax(x)))   → softmax(x) {axis: a}
 *   (x - reduceMax(x)) - log(reduceSum(exp(x - reduceMax(x)))) → logSoftmax(x) {axis: a}
 * with keepdims reductions, the division also as a product with reciprocal(sum), and the max
 * subtraction optional (softmax(x) computes the same value, only more safely).
 */
export function matchSoftmax(ctx: RewriteContext, v: Value): Value[] | undefined {
  const node = v.producer;
  if (!node || !isFloat(v.type.dtype)) return undefined;
  if (node.op === 'div') return softmaxOf(ctx, node, node.inputs[0], node.inputs[1]);
  if (node.op === 'mul') {
    for (const [e, r] of [node.inputs, [...node.inputs].reverse()]) {
      const reciprocal = producedBy(r, 'reciprocal');
      if (reciprocal) return softmaxOf(ctx, node, e, reciprocal.inputs[0]);
    }
    return undefined;
  }
  if (node.op === 'sub') {
    const log = producedBy(node.inputs[1], 'log');
    const shifted = node.inputs[0];
    const axis = log && sumOfExpAxis(log.inputs[0], shifted);
    if (axis === undefined) return undefined;
    const x = unshifted(shifted, axis);
    return hasShape(x, v.type.shape) ? ctx.emit('logSoftmax', [x], { axis }, node.name) : undefined;
  }
  return undefined;
}

function softmaxOf(ctx: RewriteContext, node: Node, numerator: Value, denominator: Value): Value[] | undefined {
  const exp = producedBy(numerator, 'exp');
  if (!exp) return undefined;
  const shifted = exp.inputs[0];
  const axis = sumOfExpAxis(denominator, shifted);
  if (axis === undefined) return undefined;
  const x = unshifted(shifted, axis);
  return hasShape(x, node.outputs[0].type.shape) ? ctx.emit('softmax', [x], { axis }, node.name) : undefined;
}

/** The axis when `s` is reduceSum(exp(shifted), [axis], keepdims). */
function sumOfExpAxis(s: Value, shifted: Value): number | undefined {
  const sum = producedBy(s, 'reduceSum');
  if (!sum || !(sum.attrs.keepdims as boolean)) return undefined;
  const exp = producedBy(sum.inputs[0], 'exp');
  if (!exp || !sameValue(exp.inputs[0], shifted)) return undefined;
  const axes = reducedAxes(shifted.type.shape.length, sum.attrs.axes as number[], `reduceSum '${sum.name}'`);
  return axes.length === 1 ? axes[0] : undefined;
}

/** x when `shifted` is x - reduceMax(x, [axis], keepdims); otherwise `shifted` itself. */
function unshifted(shifted: Value, axis: number): Value {
  const sub = producedBy(shifted, 'sub');
  const max = sub && producedBy(sub.inputs[1], 'reduceMax');
  if (!sub || !max || !(max.attrs.keepdims as boolean) || !sameValue(max.inputs[0], sub.inputs[0])) return shifted;
  const axes = reducedAxes(shifted.type.shape.length, max.attrs.axes as number[], `reduceMax '${max.name}'`);
  return axes.length === 1 && axes[0] === axis ? sub.inputs[0] : shifted;
}
