import type { Graph, Value } from '../../ir/index.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { randomTensor } from '../helpers/random.js';

/**
 * Whole models built with the IR builder, written the way exporters write them (BatchNorm as
 * per-channel scale and shift, LayerNorm and GELU decomposed), for fusion/memory/accuracy tests.
 */
let seed = 100;
const weight = (b: GraphBuilder, shape: number[], scale = 0.2) => b.constant(randomTensor('f32', shape, seed++, -scale, scale));
const scalar = (b: GraphBuilder, v: number) => b.constant(hostTensor('f32', [], [v]));

function convBn(b: GraphBuilder, x: Value, cin: number, cout: number, k: number, stride = 1): Value {
  const y = b.op('conv', [x, weight(b, [cout, cin, k, k], Math.sqrt(2 / (cin * k * k)))], { pads: [k >> 1, k >> 1, k >> 1, k >> 1], strides: [stride, stride] });
  const scale = b.constant(randomTensor('f32', [cout, 1, 1], seed++, 0.8, 1.2));
  const shift = b.constant(randomTensor('f32', [cout, 1, 1], seed++, -0.1, 0.1));
  return b.op('add', [b.op('mul', [y, scale]), shift]);
}

/** A small ResNet (ResNet-20 style): stem, six residual blocks in three stages, global average pool, classifier. */
export function resnetStyleCnn(batch = 1, size = 32): Graph {
  const b = new GraphBuilder('resnet');
  const x = b.input('image', 'f32', [batch, 3, size, size]);
  let h = b.op('relu', [convBn(b, x, 3, 16, 3)]);
  for (const [cin, cout, stride] of [
    [16, 16, 1],
    [16, 16, 1],
    [16, 32, 2],
    [32, 32, 1],
    [32, 64, 2],
    [64, 64, 1],
  ]) {
    const body = convBn(b, b.op('relu', [convBn(b, h, cin, cout, 3, stride)]), cout, cout, 3);
    const skip = stride === 1 && cin === cout ? h : convBn(b, h, cin, cout, 1, stride);
    h = b.op('relu', [b.op('add', [body, skip])]);
  }
  const pooled = b.op('reduceMean', [h], { axes: [2, 3] });
  const logits = b.op('add', [b.op('matmul', [pooled, weight(b, [64, 10])]), weight(b, [10])]);
  b.output(b.op('softmax', [logits], { axis: -1 }), 'probs');
  return b.graph;
}

function layerNormDecomposed(b: GraphBuilder, x: Value, d: number): Value {
  const mean = b.op('reduceMean', [x], { axes: [-1], keepdims: true });
  const centered = b.op('sub', [x, mean]);
  const variance = b.op('reduceMean', [b.op('pow', [centered, scalar(b, 2)])], { axes: [-1], keepdims: true });
  const normed = b.op('div', [centered, b.op('sqrt', [b.op('add', [variance, scalar(b, 1e-5)])])]);
  return b.op('add', [b.op('mul', [normed, weight(b, [d], 1)]), weight(b, [d], 0.1)]);
}

function geluDecomposed(b: GraphBuilder, x: Value): Value {
  const erf = b.op('erf', [b.op('div', [x, scalar(b, Math.SQRT2)])]);
  return b.op('mul', [b.op('mul', [x, scalar(b, 0.5)]), b.op('add', [erf, scalar(b, 1)])]);
}

function softmaxDecomposed(b: GraphBuilder, x: Value): Value {
  const e = b.op('exp', [b.op('sub', [x, b.op('reduceMax', [x], { axes: [-1], keepdims: true })])]);
  return b.op('div', [e, b.op('reduceSum', [e], { axes: [-1], keepdims: true })]);
}

/** A pre-LN transformer decoder block: causal multi-head attention and a GELU MLP, as exported. */
export function transformerBlock(seq = 16, d = 32, heads = 4): Graph {
  const b = new GraphBuilder('decoder');
  const dh = d / heads;
  const x = b.input('x', 'f32', [seq, d]);
  const h = layerNormDecomposed(b, x, d);
  const split = (v: Value) => b.op('transpose', [b.op('reshape', [v], { shape: [seq, heads, dh] })], { perm: [1, 0, 2] });
  const project = (v: Value, n: number) => {
    const k = v.type.shape[v.type.shape.length - 1] as number;
    return b.op('add', [b.op('matmul', [v, weight(b, [k, n], 1 / Math.sqrt(k))]), weight(b, [n], 0.05)]);
  };
  const [q, k, v] = [0, 1, 2].map(() => split(project(h, d)));
  const scores = b.op('mul', [b.op('matmul', [q, b.op('transpose', [k], { perm: [0, 2, 1] })]), scalar(b, 1 / Math.sqrt(dh))]);
  const maskData = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) maskData[i * seq + j] = -1e9;
  const masked = b.op('add', [scores, b.constant(hostTensor('f32', [seq, seq], maskData))]);
  const attended = b.op('matmul', [softmaxDecomposed(b, masked), v]);
  const merged = b.op('reshape', [b.op('transpose', [attended], { perm: [1, 0, 2] })], { shape: [seq, d] });
  const residual = b.op('add', [x, project(merged, d)]);
  const mlp = project(geluDecomposed(b, project(layerNormDecomposed(b, residual, d), 4 * d)), d);
  b.output(b.op('add', [residual, mlp]), 'y');
  return b.graph;
}
