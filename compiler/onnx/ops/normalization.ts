import type { Value } from '../../../ir/index.js';
import { GraphError, ShapeError, UnsupportedOpError, UsageError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { flag, input, normAxis, perChannel, rank, reshape, staticDim, trailingAxes } from './util.js';

/**
 * Normalizations composed from reductions and elementwise ops. With constant parameters the
 * per-channel factors fold at import time (BatchNormalization becomes one multiply-add).
 */

/**
 * BatchNormalization with the batch's own statistics (population variance), and the running
 * statistics blended toward them with `momentum` (running · m + batch · (1 − m), ONNX's rule).
 * A model saved in training mode (training_mode = 1, opset 14+) outputs the blends; a model
 * imported for training (`ctx.training`) keeps its running statistics as states and updates them.
 */
function batchNormTraining(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const r = rank(x);
  const axes = [0, ...trailingAxes(2, r)];
  const eps = node.attrs.float('epsilon', 1e-5);
  const momentum = node.attrs.float('momentum', 0.9);
  const { y, mean, variance } = standardize(ctx, x, axes, eps);
  const [scale, bias] = [1, 2].map((i) => perChannel(ctx, input(node, i), r));
  const out = ctx.op('add', [ctx.op('mul', [y, scale]), bias]);
  const dtype = x.type.dtype;
  const batchMean = reshape(ctx, mean, [x.type.shape[1]]);
  const batchVar = reshape(ctx, variance, [x.type.shape[1]]);
  const blend = (running: Value, current: Value) =>
    ctx.op('add', [ctx.op('mul', [running, ctx.scalar(momentum, dtype)]), ctx.op('mul', [current, ctx.scalar(1 - momentum, dtype)])]);
  const [runningMean, runningVar] = [input(node, 3), input(node, 4)];
  const next = [blend(runningMean, batchMean), blend(runningVar, batchVar)];
  if (ctx.training) {
    [runningMean, runningVar].forEach((running, i) => {
      if (!ctx.graph.states.has(running)) throw new UsageError(`${node.where}: trains with batch statistics, so its running ${i ? 'variance' : 'mean'} '${running.name}' must be a state`);
      if (ctx.graph.stateUpdates.has(running)) throw new GraphError(`${node.where}: running statistic '${running.name}' is updated by two BatchNormalization nodes`);
      ctx.b.updateState(running, next[i]);
    });
  }
  return [out, ...next];
}

/** BatchNormalization at inference: y = x·a + b, a = scale/√(var+ε), b = B − mean·a. */
function batchNorm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  if (ctx.training ? ctx.training.batchNormTraining(node) : node.opset >= 14 && flag(node, 'training_mode', false)) return batchNormTraining(node, ctx);
  if (node.opset < 7 && node.attrs.has('is_test') && !flag(node, 'is_test', false) && node.outputs.slice(1).some((o) => o)) {
    throw new UnsupportedOpError(`${node.where}: training-mode BatchNormalization (is_test=0) is not supported`);
  }
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(ctx, input(node, i), rank(x)));
  const dtype = x.type.dtype;
  const eps = node.attrs.float('epsilon', 1e-5);
  const a = ctx.op('mul', [scale, ctx.op('rsqrt', [ctx.op('add', [variance, ctx.scalar(eps, dtype)])])]);
  const b = ctx.op('sub', [bias, ctx.op('mul', [mean, a])]);
  return [ctx.op('add', [ctx.op('mul', [x, a]), b])];
}

/** Normalizes x over `axes`: returns (x − mean)·rsqrt(var + ε) and the mean and rsqrt terms. */
function standardize(ctx: ImportContext, x: Value, axes: number[], eps: number): { y: Value; mean: Value; variance: Value; invStd: Value } {
  const dtype = x.type.dtype;
  const mean = ctx.op('reduceMean', [x], { axes, keepdims: true });
  const centered = ctx.op('sub', [x, mean]);
  const variance = ctx.op('reduceMean', [ctx.op('mul', [centered, centered])], { axes, keepdims: true });
  const invStd = ctx.op('rsqrt', [ctx.op('add', [variance, ctx.scalar(eps, dtype)])]);
  return { y: ctx.op('mul', [centered, invStd]), mean, variance, invStd };
}

function instanceNorm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const r = rank(x);
  const { y } = standardize(ctx, x, trailingAxes(2, r), node.attrs.float('epsilon', 1e-5));
  const scale = perChannel(ctx, input(node, 1), r);
  const bias = perChannel(ctx, input(node, 2), r);
  return [ctx.op('add', [ctx.op('mul', [y, scale]), bias])];
}

function layerNorm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const r = rank(x);
  const axis = normAxis(node, node.attrs.int('axis', -1), r);
  const { y, mean, invStd } = standardize(ctx, x, trailingAxes(axis, r), node.attrs.float('epsilon', 1e-5));
  let out = ctx.op('mul', [y, input(node, 1)]);
  if (node.inputs[2]) out = ctx.op('add', [out, node.inputs[2]]);
  return [out, mean, invStd];
}

/**
 * GroupNormalization: statistics per (sample, group of channels). Opset 18 gives scale and
 * bias per group, opset 21 per channel.
 */
function groupNorm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const r = rank(x);
  const groups = node.attrs.int('num_groups');
  const channels = staticDim(node, x, 1);
  if (channels % groups !== 0) throw new ShapeError(`${node.where}: ${channels} channels do not divide into ${groups} groups`);
  const grouped = reshape(ctx, x, [x.type.shape[0], groups, -1]);
  const { y } = standardize(ctx, grouped, [2], node.attrs.float('epsilon', 1e-5));
  const back = reshape(ctx, y, x.type.shape);
  const perChannelParam = (v: Value): Value => {
    if (v.type.shape[0] === channels) return perChannel(ctx, v, r);
    const spread = ctx.op('expand', [reshape(ctx, v, [groups, 1])], { shape: [groups, channels / groups] });
    return perChannel(ctx, reshape(ctx, spread, [channels]), r);
  };
  return [ctx.op('add', [ctx.op('mul', [back, perChannelParam(input(node, 1))]), perChannelParam(input(node, 2))])];
}

function lpNorm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const axis = normAxis(node, node.attrs.int('axis', -1), rank(x));
  const p = node.attrs.int('p', 2);
  if (p !== 1 && p !== 2) throw new UnsupportedOpError(`${node.where}: p=${p} is not 1 or 2`);
  const norm =
    p === 1
      ? ctx.op('reduceSum', [ctx.op('abs', [x])], { axes: [axis], keepdims: true })
      : ctx.op('sqrt', [ctx.op('reduceSum', [ctx.op('mul', [x, x])], { axes: [axis], keepdims: true })]);
  return [ctx.op('div', [x, norm])];
}

/** MeanVarianceNormalization, as its ONNX function body: (x − E[x]) / (√(E[x²] − E[x]²) + 1e-9). */
function meanVarianceNorm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const axes = node.attrs.ints('axes', [0, 2, 3]).map((a) => normAxis(node, a, rank(x)));
  const dtype = x.type.dtype;
  const mean = ctx.op('reduceMean', [x], { axes, keepdims: true });
  const meanOfSquares = ctx.op('reduceMean', [ctx.op('mul', [x, x])], { axes, keepdims: true });
  const variance = ctx.op('sub', [meanOfSquares, ctx.op('mul', [mean, mean])]);
  const std = ctx.op('add', [ctx.op('sqrt', [variance]), ctx.scalar(1e-9, dtype)]);
  return [ctx.op('div', [ctx.op('sub', [x, mean]), std])];
}

defineOnnxOps({
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LayerNormalization: layerNorm,
  GroupNormalization: groupNorm,
  LpNormalization: lpNorm,
  MeanVarianceNormalization: meanVarianceNorm,
});
