import type { Dim, Graph, Value } from '../../ir/index.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { randomTensor } from '../helpers/random.js';

/**
 * Models whose sizes are symbolic dims, built with the IR builder as exporters write them: an MLP
 * over a batch N, a small ResNet-style CNN over images of H×W, a pre-LN transformer block over S
 * tokens (its causal mask made from the sizes, not stored: a fill of [S,S] cut by trilu).
 */
let seed = 500;
const weight = (b: GraphBuilder, shape: number[], scale = 0.2) => b.constant(randomTensor('f32', shape, seed++, -scale, scale));
const scalar = (b: GraphBuilder, v: number) => b.constant(hostTensor('f32', [], [v]));

export function symbolicMlp(batch: Dim = 'N'): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.input('x', 'f32', [batch, 24]);
  const h = b.op('relu', [b.op('add', [b.op('matmul', [x, weight(b, [24, 40])]), weight(b, [40])])]);
  const logits = b.op('add', [b.op('matmul', [h, weight(b, [40, 10])]), weight(b, [10])]);
  b.output(b.op('softmax', [logits], { axis: -1 }), 'probs');
  return b.graph;
}

function convBn(b: GraphBuilder, x: Value, cin: number, cout: number, k: number, stride = 1): Value {
  const y = b.op('conv', [x, weight(b, [cout, cin, k, k], Math.sqrt(2 / (cin * k * k)))], { pads: [k >> 1, k >> 1, k >> 1, k >> 1], strides: [stride, stride] });
  const scale = b.constant(randomTensor('f32', [cout, 1, 1], seed++, 0.8, 1.2));
  const shift = b.constant(randomTensor('f32', [cout, 1, 1], seed++, -0.1, 0.1));
  return b.op('add', [b.op('mul', [y, scale]), shift]);
}

/**
 * Stem, residual blocks (one strided, with a projection), max pool, global average pool,
 * classifier. The pool's window (`poolKernel`, stride 2) is padded by 1 when it is 3 (any image,
 * 1×1 included, fits); a 2×2 window without padding needs inputs of at least 2 after the convs.
 */
export function symbolicCnn(height: Dim = 'H', width: Dim = 'W', batch: Dim = 2, poolKernel = 3): Graph {
  const b = new GraphBuilder('cnn');
  const x = b.input('image', 'f32', [batch, 3, height, width]);
  let h = b.op('relu', [convBn(b, x, 3, 8, 3)]);
  for (const [cin, cout, stride] of [
    [8, 8, 1],
    [8, 16, 2],
  ]) {
    const body = convBn(b, b.op('relu', [convBn(b, h, cin, cout, 3, stride)]), cout, cout, 3);
    const skip = stride === 1 && cin === cout ? h : convBn(b, h, cin, cout, 1, stride);
    h = b.op('relu', [b.op('add', [body, skip])]);
  }
  const pad = poolKernel === 3 ? 1 : 0;
  h = b.op('maxPool', [h], { kernelShape: [poolKernel, poolKernel], strides: [2, 2], pads: [pad, pad, pad, pad], ceilMode: poolKernel === 2 });
  const pooled = b.op('reduceMean', [h], { axes: [2, 3] });
  const logits = b.op('add', [b.op('matmul', [pooled, weight(b, [16, 10])]), weight(b, [10])]);
  b.output(b.op('softmax', [logits], { axis: -1 }), 'probs');
  return b.graph;
}

function layerNorm(b: GraphBuilder, x: Value, d: number): Value {
  const mean = b.op('reduceMean', [x], { axes: [-1], keepdims: true });
  const centered = b.op('sub', [x, mean]);
  const variance = b.op('reduceMean', [b.op('mul', [centered, centered])], { axes: [-1], keepdims: true });
  const normed = b.op('div', [centered, b.op('sqrt', [b.op('add', [variance, scalar(b, 1e-5)])])]);
  return b.op('add', [b.op('mul', [normed, weight(b, [d], 1)]), weight(b, [d], 0.1)]);
}

/** A pre-LN causal transformer block over [S, d]: attention with `heads` heads, then a GELU MLP. */
export function symbolicTransformer(seq: Dim = 'S', d = 32, heads = 4): Graph {
  const b = new GraphBuilder('decoder');
  const dh = d / heads;
  const x = b.input('x', 'f32', [seq, d]);
  const h = layerNorm(b, x, d);
  const split = (v: Value) => b.op('transpose', [b.op('reshape', [v], { shape: [-1, heads, dh] })], { perm: [1, 0, 2] });
  const project = (v: Value, k: number, n: number) => b.op('add', [b.op('matmul', [v, weight(b, [k, n], 1 / Math.sqrt(k))]), weight(b, [n], 0.05)]);
  const [q, k, v] = [0, 1, 2].map(() => split(project(h, d, d)));
  const scores = b.op('mul', [b.op('matmul', [q, b.op('transpose', [k], { perm: [0, 2, 1] })]), scalar(b, 1 / Math.sqrt(dh))]);
  // -1e9 strictly above the diagonal: a mask of any length, computed where it is used.
  const mask = b.op('trilu', [b.op('fill', [], { shape: [seq, seq], value: -1e9 })], { upper: true, k: 1 });
  const attention = b.op('softmax', [b.op('add', [scores, mask])], { axis: -1 });
  const merged = b.op('reshape', [b.op('transpose', [b.op('matmul', [attention, v])], { perm: [1, 0, 2] })], { shape: [-1, d] });
  const residual = b.op('add', [x, project(merged, d, d)]);
  const u = project(layerNorm(b, residual, d), d, 4 * d);
  const gelu = b.op('gelu', [u]);
  b.output(b.op('add', [residual, project(gelu, 4 * d, d)]), 'y');
  return b.graph;
}

/**
 * One decoding step of causal attention over a cache of symbolic length T (the transformers.js
 * layout): the new token's key and value appended to `past_key`/`past_value` [1, heads, T, dh]
 * give `present_key`/`present_value` [1, heads, T+1, dh]; the token attends over all T+1.
 */
export function cachedAttentionStep(heads = 2, dh = 8): Graph {
  const b = new GraphBuilder('decode_step');
  const d = heads * dh;
  const x = b.input('x', 'f32', [1, d]);
  const pastKey = b.input('past_key', 'f32', [1, heads, 'T', dh]);
  const pastValue = b.input('past_value', 'f32', [1, heads, 'T', dh]);
  const heads4 = (v: Value) => b.op('reshape', [v], { shape: [1, heads, 1, dh] });
  const project = (v: Value) => b.op('matmul', [v, weight(b, [d, d], 1 / Math.sqrt(d))]);
  const q = heads4(project(x));
  const key = b.op('concat', [pastKey, heads4(project(x))], { axis: 2 });
  const value = b.op('concat', [pastValue, heads4(project(x))], { axis: 2 });
  const scores = b.op('mul', [b.op('matmul', [q, b.op('transpose', [key], { perm: [0, 1, 3, 2] })]), scalar(b, 1 / Math.sqrt(dh))]);
  const context = b.op('matmul', [b.op('softmax', [scores], { axis: -1 }), value]);
  b.output(b.op('reshape', [context], { shape: [1, d] }), 'y');
  b.output(key, 'present_key');
  b.output(value, 'present_value');
  return b.graph;
}
