import type { Value } from '../../../ir/index.js';
import { ShapeError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { castTo, flag, input, normAxis, rank } from './util.js';

/** Data-dependent indexing: GatherElements/ND, Scatter*, OneHot, Trilu, TopK. */

function gatherElements(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [ctx.op('gatherElements', [input(node, 0), input(node, 1)], { axis: node.attrs.int('axis', 0) })];
}

function gatherND(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [ctx.op('gatherND', [input(node, 0), input(node, 1)], { batchDims: node.attrs.int('batch_dims', 0) })];
}

function scatterElements(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const attrs = { axis: node.attrs.int('axis', 0), reduction: node.attrs.string('reduction', 'none') };
  return [ctx.op('scatterElements', [input(node, 0), input(node, 1), input(node, 2)], attrs)];
}

function scatterND(node: OnnxNodeView, ctx: ImportContext): Value[] {
  return [ctx.op('scatterND', [input(node, 0), input(node, 1), input(node, 2)], { reduction: node.attrs.string('reduction', 'none') })];
}

/** OneHot(indices, depth, values=[off, on]): the output has the values' type. */
function oneHot(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const indices = castTo(ctx, input(node, 0), 'i32');
  const [depth] = ctx.constValues(node, 1, 'depth');
  const [offValue, onValue] = ctx.constValues(node, 2, 'values');
  const dtype = input(node, 2).type.dtype;
  return [ctx.op('oneHot', [indices], { depth: Math.trunc(depth), axis: node.attrs.int('axis', -1), onValue, offValue, dtype })];
}

function trilu(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const k = node.inputs[1] ? ctx.constValues(node, 1, 'k')[0] : 0;
  return [ctx.op('trilu', [input(node, 0)], { upper: flag(node, 'upper', true), k })];
}

function topK(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const k = node.opset < 10 ? node.attrs.int('k') : ctx.constValues(node, 1, 'K')[0];
  if (!Number.isInteger(k) || k < 0) throw new ShapeError(`${node.where}: K = ${k} is not a non-negative integer`);
  const axis = normAxis(node, node.attrs.int('axis', -1), rank(x));
  return ctx.apply('topK', [x], { k, axis, largest: flag(node, 'largest', true), sorted: flag(node, 'sorted', true) });
}

defineOnnxOps({
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: scatterND,
  OneHot: oneHot,
  Trilu: trilu,
  TopK: topK,
});
