import type { Graph, HostTensor, Node, Value } from '../../ir/index.js';
import { stridesOf } from '../../ir/index.js';
import { evaluateOp } from './evaluate.js';
import { hasShape, inferredShape, producedBy } from './match.js';
import type { RewriteContext } from './rewrite.js';
import { rewriteGraph } from './rewrite.js';

/**
 * Folds inference BatchNormalization into the contraction before it. The ONNX importer lowers
 * BatchNormalization to `y * scale + shift` with per-channel constants ([C,1,1] after a conv,
 * [C] after a Gemm); when y comes from
 *   conv(x, w[, bias])                 (OIHW weights: output channel = weight axis 0), or
 *   matmul(x, W) [+ bias]              (output channel = W's last axis),
 * with constant weights (and bias), and nothing else reads y, then
 *   y * s → the contraction with w' = w·s per output channel and bias' = bias·s,
 *   y + t → the contraction with bias' = bias + t (for conv; matmul's bias add is merged).
 * Applied to each mul and add in turn, so `x*scale + shift` folds completely, as does a lone
 * scale or shift. f32 only (f16 constants are raw bits on the host).
 *
 * Not folded: convTranspose (its weights are [C_in, C_out/group, ...]), non-constant weights.
 */
export function foldBatchNormIntoContraction(graph: Graph): Graph {
  return rewriteGraph(graph, foldNode);
}

function foldNode(node: Node, ctx: RewriteContext): Value[] | null {
  if (node.op !== 'mul' && node.op !== 'add') return null;
  const inputs = node.inputs.map(ctx.map);
  const shape = inferredShape(node, inputs);
  for (const side of [0, 1]) {
    const y = inputs[side];
    const c = ctx.constantOf(inputs[1 - side]);
    if (!c || c.dtype !== 'f32' || !hasShape(y, shape) || ctx.uses(y) !== 1 || ctx.escapes(y)) continue;
    const folded = node.op === 'mul' ? foldScale(y, c, ctx) : foldShift(y, c, ctx);
    if (folded) return folded;
  }
  return null;
}

/** The per-channel values of `c` for an output of rank `rank` with `channels` at `axis`. */
function perChannel(c: HostTensor, rank: number, axis: number, channels: number): Float64Array | undefined {
  const offset = rank - c.shape.length;
  if (offset < 0) return undefined;
  const fits = c.shape.every((d, j) => d === 1 || (offset + j === axis && d === channels));
  if (!fits) return undefined;
  const values = new Float64Array(channels);
  for (let k = 0; k < channels; k++) values[k] = c.data.length === 1 ? c.data[0] : c.data[k];
  return values;
}

/** A copy of `w` with every element multiplied by the scale of its index along `axis`. */
function scaleAlong(w: HostTensor, axis: number, scale: Float64Array): HostTensor {
  const inner = stridesOf(w.shape)[axis];
  const size = w.shape[axis];
  const source = w.data as Float32Array;
  const data = new Float32Array(source.length);
  // Blocks of `inner` contiguous elements share a channel: no division per element.
  for (let block = 0, i = 0; i < data.length; block++) {
    const s = scale[block % size];
    for (const end = i + inner; i < end; i++) data[i] = source[i] * s;
  }
  return { dtype: w.dtype, shape: [...w.shape], data };
}

function f32Constant(ctx: RewriteContext, w: Value): HostTensor | undefined {
  const t = ctx.constantOf(w);
  return t && t.dtype === 'f32' ? t : undefined;
}

/** conv(x, w[, bias]) with a constant weight and a constant (or no) bias. */
function constantConv(y: Value, ctx: RewriteContext): { node: Node; w: HostTensor; bias: HostTensor | null } | undefined {
  const conv = producedBy(y, 'conv');
  if (!conv) return undefined;
  const w = f32Constant(ctx, conv.inputs[1]);
  const bias = conv.inputs[2] ? f32Constant(ctx, conv.inputs[2]) : null;
  return w && bias !== undefined && typeof w.shape[0] === 'number' ? { node: conv, w, bias } : undefined;
}

/** matmul(x, W) with a constant W of rank ≥ 2. */
function constantMatmul(m: Value, ctx: RewriteContext): { node: Node; w: HostTensor } | undefined {
  const matmul = producedBy(m, 'matmul');
  const w = matmul && f32Constant(ctx, matmul.inputs[1]);
  return matmul && w && w.shape.length >= 2 ? { node: matmul, w } : undefined;
}

/** add(matmul(x, W), bias) or add(bias, matmul(x, W)), the matmul read by the add alone. */
function matmulWithBias(y: Value, ctx: RewriteContext): { matmul: { node: Node; w: HostTensor }; mm: Value; bias: HostTensor } | undefined {
  const add = producedBy(y, 'add');
  if (!add) return undefined;
  for (const side of [0, 1]) {
    const mm = add.inputs[side];
    const bias = f32Constant(ctx, add.inputs[1 - side]);
    const matmul = constantMatmul(mm, ctx);
    if (bias && matmul && ctx.uses(mm) === 1 && !ctx.escapes(mm)) return { matmul, mm, bias };
  }
  return undefined;
}

function foldScale(y: Value, c: HostTensor, ctx: RewriteContext): Value[] | null {
  const rank = y.type.shape.length;
  const conv = constantConv(y, ctx);
  if (conv) {
    const channels = conv.w.shape[0];
    const scale = perChannel(c, rank, 1, channels);
    if (!scale) return null;
    const name = conv.node.name;
    const inputs = [conv.node.inputs[0], ctx.constant(scaleAlong(conv.w, 0, scale), `${name}/w_folded`)];
    if (conv.bias) inputs.push(ctx.constant(scaleAlong(conv.bias, 0, scale), `${name}/b_folded`));
    return ctx.emit('conv', inputs, conv.node.attrs, name);
  }
  const matmul = constantMatmul(y, ctx);
  const withBias = matmul ? undefined : matmulWithBias(y, ctx);
  const mm = matmul ?? withBias?.matmul;
  if (!mm) return null;
  const w = mm.w;
  const scale = perChannel(c, rank, rank - 1, w.shape[w.shape.length - 1]);
  if (!scale) return null;
  const name = mm.node.name;
  const scaled = ctx.constant(scaleAlong(w, w.shape.length - 1, scale), `${name}/w_folded`);
  const product = ctx.emit('matmul', [mm.node.inputs[0], scaled], mm.node.attrs, name);
  if (!withBias) return product;
  const [bias] = evaluateOp('mul', [withBias.bias, c], {}, `${name}/bias`);
  return ctx.emit('add', [product[0], ctx.constant(bias, `${name}/b_folded`)], {}, y.producer!.name);
}

function foldShift(y: Value, c: HostTensor, ctx: RewriteContext): Value[] | null {
  const conv = constantConv(y, ctx);
  if (conv) {
    const channels = conv.w.shape[0];
    const shift = perChannel(c, y.type.shape.length, 1, channels);
    if (!shift) return null;
    const bias = new Float32Array(channels);
    for (let k = 0; k < channels; k++) bias[k] = (conv.bias ? conv.bias.data[k] : 0) + shift[k];
    const name = conv.node.name;
    const b = ctx.constant({ dtype: 'f32', shape: [channels], data: bias }, `${name}/b_folded`);
    return ctx.emit('conv', [conv.node.inputs[0], conv.node.inputs[1], b], conv.node.attrs, name);
  }
  const withBias = matmulWithBias(y, ctx);
  if (!withBias) return null;
  const [bias] = evaluateOp('add', [withBias.bias, c], {}, `${withBias.matmul.node.name}/bias`);
  const name = withBias.matmul.node.name;
  return ctx.emit('add', [withBias.mm, ctx.constant(bias, `${name}/b_folded`)], {}, y.producer!.name);
}
