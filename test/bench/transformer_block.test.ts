import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { TransformerShape } from '../../bench/models/transformer_block.js';
import { transformerModel } from '../../bench/models/transformer_block.js';
import { normalArray } from '../../bench/seeded_random.js';

// The transformer case's ONNX model against a direct float64 implementation of a pre-LN
// decoder block (causal attention, exact GELU), reading the weights back from the model.

const shape: TransformerShape = { seq: 5, dModel: 8, heads: 2, ffn: 12 };

function weights(model: Uint8Array): Map<string, Float32Array> {
  const m = onnxProto.onnx.ModelProto.decode(model);
  const out = new Map<string, Float32Array>();
  for (const t of m.graph!.initializer!) {
    if (t.dataType !== onnxProto.onnx.TensorProto.DataType.FLOAT || !t.rawData?.length) continue;
    const data = new Float32Array(t.rawData.byteLength / 4);
    new Uint8Array(data.buffer).set(t.rawData);
    out.set(t.name!, data);
  }
  return out;
}

type Matrix = number[][];

const linear = (x: Matrix, w: Float32Array, b: Float32Array, out: number): Matrix =>
  x.map((row) => Array.from({ length: out }, (_, j) => row.reduce((acc, v, i) => acc + v * w[i * out + j], b[j])));

function layerNorm(x: Matrix, gamma: Float32Array, beta: Float32Array): Matrix {
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[i] + beta[i]);
  });
}

/** erf by the trapezoidal rule: slow, but plainly right and accurate to ~1e-8 here. */
function erf(x: number): number {
  const n = 2000;
  const h = x / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) sum += (i === 0 || i === n ? 0.5 : 1) * Math.exp(-((i * h) ** 2));
  return (2 / Math.sqrt(Math.PI)) * sum * h;
}

function referenceBlock(x: Matrix, w: Map<string, Float32Array>, s: TransformerShape): Matrix {
  const get = (name: string): Float32Array => w.get(name) ?? expect.fail(`no weight ${name}`);
  const { seq, dModel: d, heads, ffn } = s;
  const hd = d / heads;
  const a = layerNorm(x, get('ln1.gamma'), get('ln1.beta'));
  const [q, k, v] = ['q', 'k', 'v'].map((p) => linear(a, get(`${p}.w`), get(`${p}.b`), d));
  const context: Matrix = x.map(() => new Array<number>(d).fill(0));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < seq; i++) {
      const scores = Array.from({ length: seq }, (_, j) => {
        if (j > i) return -Infinity;
        let dot = 0;
        for (let c = 0; c < hd; c++) dot += q[i][h * hd + c] * k[j][h * hd + c];
        return dot / Math.sqrt(hd);
      });
      const max = Math.max(...scores);
      const e = scores.map((z) => Math.exp(z - max));
      const total = e.reduce((acc, z) => acc + z, 0);
      for (let j = 0; j < seq; j++) for (let c = 0; c < hd; c++) context[i][h * hd + c] += (e[j] / total) * v[j][h * hd + c];
    }
  }
  const attn = linear(context, get('o.w'), get('o.b'), d);
  const h1 = x.map((row, i) => row.map((val, j) => val + attn[i][j]));
  const u = linear(layerNorm(h1, get('ln2.gamma'), get('ln2.beta')), get('fc1.w'), get('fc1.b'), ffn);
  const g = u.map((row) => row.map((z) => 0.5 * z * (1 + erf(z / Math.SQRT2))));
  const m = linear(g, get('fc2.w'), get('fc2.b'), d);
  return h1.map((row, i) => row.map((val, j) => val + m[i][j]));
}

describe('the transformer-block ONNX model', () => {
  it('computes a pre-LN causal decoder block', async () => {
    const model = transformerModel('test-block', shape);
    const input = normalArray('test-block/x', shape.seq * shape.dModel);
    const session = await ort.InferenceSession.create(model);
    const got = (await session.run({ x: new ort.Tensor('float32', input, [1, shape.seq, shape.dModel]) })).y.data as Float32Array;
    const x: Matrix = Array.from({ length: shape.seq }, (_, i) => Array.from(input.subarray(i * shape.dModel, (i + 1) * shape.dModel)));
    const want = referenceBlock(x, weights(model), shape).flat();
    expect(got.length).toBe(want.length);
    want.forEach((v, i) => expect(Math.abs(got[i] - v), `y[${i}] = ${got[i]}, expected ${v}`).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    await session.release();
  });
});
