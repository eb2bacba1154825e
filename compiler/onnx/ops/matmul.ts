import type { Value } from '../../../ir/index.js';
import { formatShape, ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { einsum } from './einsum.js';
import { defineOnnxOps } from './table.js';
import { flag, input, staticDim } from './util.js';

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

/**
 * Det of square matrices [..., n, n] by cofactor expansion along the first row (n! products:
 * meant for the small matrices models compute determinants of, up to 4×4).
 */
function det(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const x = input(node, 0);
  const r = x.type.shape.length;
  const n = staticDim(node, x, r - 1);
  if (staticDim(node, x, r - 2) !== n) throw new ShapeError(`${node.where}: input ${formatShape(x.type.shape)} is not square`);
  if (n > 4) throw new UnsupportedOpError(`${node.where}: Det of ${n}×${n} matrices is not supported (up to 4×4)`);
  const entry = (i: number, j: number) => {
    const picked = ctx.op('slice', [x], { starts: [i, j], ends: [i + 1, j + 1], axes: [r - 2, r - 1], steps: [1, 1] });
    return ctx.op('squeeze', [picked], { axes: [r - 2, r - 1] });
  };
  const minor = (rows: number[], cols: number[]): Value => {
    if (rows.length === 1) return entry(rows[0], cols[0]);
    let acc: Value | undefined;
    cols.forEach((col, k) => {
      const term = ctx.op('mul', [entry(rows[0], col), minor(rows.slice(1), cols.filter((c) => c !== col))]);
      acc = acc === undefined ? term : ctx.op(k % 2 === 0 ? 'add' : 'sub', [acc, term]);
    });
    return acc!;
  };
  const all = [...Array(n).keys()];
  return [minor(all, all)];
}

defineOnnxOps({
  Det: det,
  MatMul: (node, ctx) => [ctx.op('matmul', [input(node, 0), input(node, 1)])],
  Gemm: gemm,
  Einsum: einsum,
});
