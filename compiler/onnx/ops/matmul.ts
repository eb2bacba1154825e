import type { Value } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { einsum } from './einsum.js';
import { defineOnnxOps } from './table.js';
import { flag, input } from './util.js';

/** MatMul, Gemm (Y = α·A'·B' + β·C) and Einsum. */

function gemm(node: OnnxNodeView, ctx: ImportContext): Value[] {
  let a = input(node, 0);
  let b = input(node, 1);
  const c = node.inputs[2];
  const alpha = node.attrs.float('alpha', 1);
  const beta = node.attrs.float('beta', 1);
  if (flag(node, 'transA', false)) a = ctx.op('transpose', [a], { perm: [1, 0] });
  if (flag(node, 'transB', false)) b = ctx.op('transpose', [b], { perm: [1, 0] });
  let y = ctx.op('matmul', [a, b]);
  const dtype = y.type.dtype;
  if (alpha !== 1) y = ctx.op('mul', [y, ctx.scalar(alpha, dtype)]);
  if (c && beta !== 0) y = ctx.op('add', [y, beta === 1 ? c : ctx.op('mul', [c, ctx.scalar(beta, dtype)])]);
  return [y];
}

defineOnnxOps({
  MatMul: (node, ctx) => [ctx.op('matmul', [input(node, 0), input(node, 1)])],
  Gemm: gemm,
  Einsum: einsum,
});
