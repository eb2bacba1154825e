import type { Value } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView, OnnxOpHandler } from '../context.js';
import { defineOnnxOps } from './table.js';
import { dimProduct, flag, input, normAxis, rank, reshape } from './util.js';

/** Reductions, arg-reductions, softmax-like ops and CumSum. */

interface ReduceSpec {
  /** The opset from which `axes` is an input instead of an attribute. */
  readonly axesInputSince: number;
  /** Builds the reduction from IR ops over normalized axes ([] = all). */
  readonly build: (ctx: ImportContext, x: Value, axes: number[], keepdims: boolean) => Value;
}

function reduceAxes(node: OnnxNodeView, ctx: ImportContext, spec: ReduceSpec): number[] | 'noop' {
  const x = input(node, 0);
  let axes: number[];
  if (node.opset >= spec.axesInputSince) axes = node.inputs[1] ? ctx.constValues(node, 1, 'axes') : [];
  else axes = node.attrs.ints('axes', []);
  if (axes.length === 0) return flag(node, 'noop_with_empty_axes', false) ? 'noop' : [];
  return [...new Set(axes.map((a) => normAxis(node, a, rank(x))))].sort((a, b) => a - b);
}

function reduce(spec: ReduceSpec): OnnxOpHandler {
  return (node, ctx) => {
    const x = input(node, 0);
    const axes = reduceAxes(node, ctx, spec);
    if (axes === 'noop') return [ctx.op('identity', [x])];
    return [spec.build(ctx, x, axes, flag(node, 'keepdims', true))];
  };
}

const plain =
  (op: string) =>
  (ctx: ImportContext, x: Value, axes: number[], keepdims: boolean): Value =>
    ctx.op(op, [x], { axes, keepdims });

const square = (ctx: ImportContext, x: Value) => ctx.op('mul', [x, x]);

/** log Σ exp(x), shifted by the max so large inputs do not overflow. */
function logSumExp(ctx: ImportContext, x: Value, axes: number[], keepdims: boolean): Value {
  const max = ctx.op('reduceMax', [x], { axes, keepdims: true });
  const sum = ctx.op('reduceSum', [ctx.op('exp', [ctx.op('sub', [x, max])])], { axes, keepdims: true });
  const out = ctx.op('add', [ctx.op('log', [sum]), max]);
  if (keepdims) return out;
  const all = axes.length === 0 ? x.type.shape.map((_, i) => i) : axes;
  return reshape(ctx, out, x.type.shape.filter((_, i) => !all.includes(i)));
}

const REDUCTIONS: Record<string, ReduceSpec> = {
  ReduceSum: { axesInputSince: 13, build: plain('reduceSum') },
  ReduceMean: { axesInputSince: 18, build: plain('reduceMean') },
  ReduceMax: { axesInputSince: 18, build: plain('reduceMax') },
  ReduceMin: { axesInputSince: 18, build: plain('reduceMin') },
  ReduceProd: { axesInputSince: 18, build: plain('reduceProd') },
  ReduceL1: { axesInputSince: 18, build: (ctx, x, axes, keepdims) => ctx.op('reduceSum', [ctx.op('abs', [x])], { axes, keepdims }) },
  ReduceL2: { axesInputSince: 18, build: (ctx, x, axes, keepdims) => ctx.op('sqrt', [ctx.op('reduceSum', [square(ctx, x)], { axes, keepdims })]) },
  ReduceSumSquare: { axesInputSince: 18, build: (ctx, x, axes, keepdims) => ctx.op('reduceSum', [square(ctx, x)], { axes, keepdims }) },
  ReduceLogSum: { axesInputSince: 18, build: (ctx, x, axes, keepdims) => ctx.op('log', [ctx.op('reduceSum', [x], { axes, keepdims })]) },
  ReduceLogSumExp: { axesInputSince: 18, build: logSumExp },
};

function argReduce(op: string): OnnxOpHandler {
  return (node, ctx) => {
    const x = input(node, 0);
    const axis = normAxis(node, node.attrs.int('axis', 0), rank(x));
    return [ctx.op(op, [x], { axis, keepdims: flag(node, 'keepdims', true), selectLastIndex: flag(node, 'select_last_index', false) })];
  };
}

/**
 * Softmax-like ops. From opset 13 they work along one axis (default −1); before, the input is
 * coerced to 2-D [prod(dims < axis), prod(dims ≥ axis)] (default axis 1) and they work along
 * that second dim, i.e. jointly over all trailing axes.
 */
function softmaxLike(apply: (ctx: ImportContext, x: Value, axis: number) => Value): OnnxOpHandler {
  return (node, ctx) => {
    const x = input(node, 0);
    const r = rank(x);
    if (node.opset >= 13) return [apply(ctx, x, normAxis(node, node.attrs.int('axis', -1), r))];
    const axis = normAxis(node, node.attrs.int('axis', 1), r);
    if (axis === r - 1) return [apply(ctx, x, axis)];
    const flat = reshape(ctx, x, [dimProduct(node, x.type.shape.slice(0, axis)), dimProduct(node, x.type.shape.slice(axis))]);
    return [reshape(ctx, apply(ctx, flat, 1), x.type.shape)];
  };
}

function cumSum(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const [axis] = ctx.constValues(node, 1, 'axis');
  return [ctx.op('cumSum', [x], { axis: normAxis(node, axis, rank(x)), exclusive: flag(node, 'exclusive', false), reverse: flag(node, 'reverse', false) })];
}

defineOnnxOps({
  ...Object.fromEntries(Object.entries(REDUCTIONS).map(([name, spec]) => [name, reduce(spec)])),
  ArgMax: argReduce('argMax'),
  ArgMin: argReduce('argMin'),
  Softmax: softmaxLike((ctx, x, axis) => ctx.op('softmax', [x], { axis })),
  LogSoftmax: softmaxLike((ctx, x, axis) => ctx.op('logSoftmax', [x], { axis })),
  Hardmax: softmaxLike((ctx, x, axis) => ctx.op('hardmax', [x], { axis })),
  CumSum: cumSum,
});
