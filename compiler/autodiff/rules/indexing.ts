import type { Dim } from '../../../ir/index.js';
import { GraphBuilder, hostTensor, UnsupportedOpError } from '../../../ir/index.js';
import { resizeAxes } from '../../../ir/ops/resize.js';
import { interpret } from '../../../targets/reference/interpreter.js';
import type { Tensor } from '../../dsl/tensor.js';
import type { GradContext } from '../registry.js';
import { registerGrad } from '../registry.js';

/**
 * Data-dependent selection: a gather's adjoint is a scatter-add of the gradient into zeros, and
 * a scatter's adjoint gathers. Index operands never get gradients.
 */

const zerosLike = (t: Tensor): Tensor => t.trace.op('fill', [], { shape: [...t.shape] as Dim[], value: 0, dtype: t.dtype });

registerGrad('gatherElements', ({ x: [data, indices], dy: [dy], attr }) => [
  dy && zerosLike(data).apply('scatterElements', [indices, dy], { axis: attr<number>('axis'), reduction: 'add' }),
  null,
]);

registerGrad('gatherND', ({ x: [data, indices], dy: [dy], node, attr }) => {
  if (!dy) return [null, null];
  if (attr<number>('batchDims') !== 0) throw new UnsupportedOpError(`gatherND '${node.name}': no gradient with batchDims > 0`);
  return [zerosLike(data).apply('scatterND', [indices, dy], { reduction: 'add' }), null];
});

/**
 * scatter with reduction 'none': the data gradient is dy where no update landed; each update
 * gets dy at its target. With 'add' the data gradient passes unchanged.
 */
function scatterGrad(ctx: GradContext, gatherOp: 'gatherElements' | 'gatherND', gatherAttrs: Record<string, number>) {
  const dy = ctx.dy[0];
  if (!dy) return [null, null, null];
  const [, indices, updates] = ctx.x;
  const reduction = ctx.attr<string>('reduction');
  if (reduction !== 'none' && reduction !== 'add') {
    throw new UnsupportedOpError(`${ctx.node.op} '${ctx.node.name}': no gradient for reduction '${reduction}'`);
  }
  const dData = !ctx.needs[0] ? null : reduction === 'add' ? dy : dy.apply(ctx.node.op, [indices, zerosLike(updates)], ctx.node.attrs);
  const dUpdates = ctx.needs[2] ? dy.apply(gatherOp, [indices], gatherAttrs) : null;
  return [dData, null, dUpdates];
}

registerGrad('scatterElements', (ctx) => scatterGrad(ctx, 'gatherElements', { axis: ctx.attr<number>('axis') }));
registerGrad('scatterND', (ctx) => scatterGrad(ctx, 'gatherND', {}));

/** trilu masks a fixed triangle: the gradient is masked the same way. */
registerGrad('trilu', ({ dy: [dy], node }) => [dy && dy.apply('trilu', [], node.attrs)]);

/** topK's values are a gather along the axis: their gradient scatters back to the indices. */
registerGrad('topK', ({ x: [x], y: [, indices], dy: [dValues], attr }) => [
  dValues && zerosLike(x).apply('scatterElements', [indices, dValues], { axis: attr<number>('axis'), reduction: 'add' }),
]);

/**
 * The matrix of a resize along one axis: resize is separable and linear in x in every mode
 * (nearest, linear, cubic), so column i is the response to a unit impulse at i. The reference
 * interpreter computes it on the host, so the adjoint follows the forward coordinate rules
 * exactly without restating them.
 */
function resizeMatrix(ctx: GradContext, axis: number, inSize: number, outSize: number, scale: number, roiStart: number, roiEnd: number): Float32Array {
  const rank = ctx.x[0].rank;
  const ones = (v: number) => Array.from({ length: rank }, (_, a) => (a === axis ? v : 1));
  const roi = [...ones(roiStart).map((v, a) => (a === axis ? v : 0)), ...ones(roiEnd)];
  const attrs = { ...ctx.node.attrs, sizes: ones(outSize), scales: ones(scale), roi, extrapolationValue: 0 };
  const b = new GraphBuilder('resize_probe');
  const input = b.input('x', 'f32', ones(inSize));
  b.output(b.op('resize', [input], attrs), 'y');
  const matrix = new Float32Array(outSize * inSize);
  for (let i = 0; i < inSize; i++) {
    const impulse = hostTensor('f32', ones(inSize));
    impulse.data[i] = 1;
    const response = interpret(b.graph, { x: impulse }, { f64: true }).outputs.y.data;
    for (let o = 0; o < outSize; o++) matrix[o * inSize + i] = response[o];
  }
  return matrix;
}

registerGrad('resize', (ctx) => {
  const dy = ctx.dy[0];
  if (!dy) return [null];
  const x = ctx.x[0];
  if (!x.shape.every((d) => typeof d === 'number')) throw new UnsupportedOpError(`resize '${ctx.node.name}': the gradient needs static shapes`);
  let g = dy;
  resizeAxes(x.shape as number[], ctx.node.attrs, `resize '${ctx.node.name}'`).forEach((a, axis) => {
    if (a.identity) return;
    const m = resizeMatrix(ctx, axis, a.inSize, a.outSize, a.scale, a.roiStart, a.roiEnd);
    const matrix = g.trace.constant(hostTensor('f32', [a.outSize, a.inSize], m)).cast(g.dtype);
    const perm = [...Array(x.rank).keys()].filter((p) => p !== axis).concat(axis);
    const back = new Array<number>(x.rank);
    perm.forEach((p, i) => (back[p] = i));
    g = g.transpose(perm).matmul(matrix).transpose(back);
  });
  return [g];
});
