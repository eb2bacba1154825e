import type { Value } from '../../../ir/index.js';
import { UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { castTo, input } from './util.js';

/**
 * Loss functions (inference semantics; their gradients are autodiff's business):
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss = NLL of logSoftmax over axis 1.
 */

/**
 * loss[n, d…] = −input[n, target[n, d…], d…] · weight[target[n, d…]], zero where the target is
 * ignore_index; 'mean' divides the sum by the summed weights of the targets that count.
 */
function nll(node: OnnxNodeView, ctx: ImportContext, logProb: Value, target: Value, weight: Value | undefined): Value {
  const reduction = node.attrs.string('reduction', 'mean');
  if (!['none', 'sum', 'mean'].includes(reduction)) throw new UnsupportedOpError(`${node.where}: reduction '${reduction}' is not supported`);
  const dtype = logProb.type.dtype;
  let labels = castTo(ctx, target, 'i32');
  let ignored: Value | undefined;
  if (node.attrs.has('ignore_index')) {
    ignored = ctx.op('equal', [labels, ctx.scalar(node.attrs.int('ignore_index'), 'i32')]);
    // An ignored label may lie outside [0, C): gather a valid class, then zero its term.
    labels = ctx.op('where', [ignored, ctx.scalar(0, 'i32'), labels]);
  }
  const picked = ctx.op('gatherElements', [logProb, ctx.op('unsqueeze', [labels], { axes: [1] })], { axis: 1 });
  let loss = ctx.op('neg', [ctx.op('squeeze', [picked], { axes: [1] })]);
  let weights = weight ? ctx.op('gather', [weight, labels], { axis: 0 }) : undefined;
  if (ignored) weights = ctx.op('where', [ignored, ctx.scalar(0, dtype), weights ?? ctx.scalar(1, dtype)]);
  if (weights) loss = ctx.op('mul', [loss, weights]);
  if (reduction === 'none') return loss;
  const sum = ctx.op('reduceSum', [loss], { axes: [], keepdims: false });
  if (reduction === 'sum') return sum;
  if (!weights) return ctx.op('reduceMean', [loss], { axes: [], keepdims: false });
  return ctx.op('div', [sum, ctx.op('reduceSum', [weights], { axes: [], keepdims: false })]);
}

defineOnnxOps({
  NegativeLogLikelihoodLoss: (node, ctx) => [nll(node, ctx, input(node, 0), input(node, 1), node.inputs[2])],
  SoftmaxCrossEntropyLoss: (node, ctx) => {
    const logProb = ctx.op('logSoftmax', [input(node, 0)], { axis: 1 });
    return [nll(node, ctx, logProb, input(node, 1), node.inputs[2]), logProb];
  },
});
