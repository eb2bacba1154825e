import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { OnnxType } from '../../compiler/onnx/proto.js';
import { randomTensor } from '../helpers/random.js';
import { F32, modelBytes, node, tensor, valueInfo } from './helpers/onnx_builder.js';
import { runReference } from './helpers/run_reference.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { interpret } from '../../targets/reference/interpreter.js';

/**
 * Recurrent ops (unrolled by the importer) against step-by-step loops written here from the
 * ONNX equations, and quantization against values worked out by hand.
 */

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const at = (t: HostTensor, ...idx: number[]) => {
  let flat = 0;
  idx.forEach((i, d) => (flat = flat * t.shape[d] + i));
  return Number(t.data[flat]);
};

/** GRU over x [T, B, I] for one direction, per the ONNX equations (gates z, r, h). */
function naiveGru(x: HostTensor, w: HostTensor, r: HostTensor, b: HostTensor, d: number, hidden: number, reverse: boolean, linearBeforeReset: boolean): number[][][] {
  const [T, B, I] = x.shape;
  // Input and recurrent projections of gate g, unit j (with their biases Wb, Rb).
  const xw = (t: number, bi: number, g: number, j: number) => {
    let s = at(b, d, g * hidden + j);
    for (let i = 0; i < I; i++) s += at(x, t, bi, i) * at(w, d, g * hidden + j, i);
    return s;
  };
  const hr = (vec: number[], g: number, j: number) => {
    let s = at(b, d, 3 * hidden + g * hidden + j);
    for (let i = 0; i < hidden; i++) s += vec[i] * at(r, d, g * hidden + j, i);
    return s;
  };
  let h = Array.from({ length: B }, () => new Array<number>(hidden).fill(0));
  const ys: number[][][] = new Array(T);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    h = h.map((hb, bi) => {
      const z = hb.map((_, j) => sigmoid(xw(t, bi, 0, j) + hr(hb, 0, j)));
      const reset = hb.map((_, j) => sigmoid(xw(t, bi, 1, j) + hr(hb, 1, j)));
      const cand = hb.map((_, j) =>
        Math.tanh(
          linearBeforeReset
            ? xw(t, bi, 2, j) + reset[j] * hr(hb, 2, j)
            : xw(t, bi, 2, j) + hr(hb.map((v, i) => v * reset[i]), 2, j),
        ),
      );
      return hb.map((hv, j) => (1 - z[j]) * cand[j] + z[j] * hv);
    });
    ys[t] = h;
  }
  return ys;
}

describe('GRU', () => {
  for (const linearBeforeReset of [0, 1]) {
    it(`bidirectional, batch-first layout, linear_before_reset=${linearBeforeReset}`, () => {
      const [T, B, I, H] = [3, 2, 4, 5];
      const xTime = randomTensor('f32', [T, B, I], 1);
      const w = randomTensor('f32', [2, 3 * H, I], 2, -0.5, 0.5);
      const r = randomTensor('f32', [2, 3 * H, H], 3, -0.5, 0.5);
      const b = randomTensor('f32', [2, 6 * H], 4, -0.5, 0.5);
      // layout=1: X is [B, T, I].
      const xBatch: HostTensor = { dtype: 'f32', shape: [B, T, I], data: Float32Array.from({ length: B * T * I }, (_, f) => at(xTime, Math.floor(f / I) % T, Math.floor(f / (T * I)), f % I)) };
      const out = runReference(
        {
          opset: 14,
          nodes: [node('GRU', ['x', 'w', 'r', 'b'], ['y', 'yh'], { hidden_size: H, direction: 'bidirectional', layout: 1, linear_before_reset: linearBeforeReset })],
          inputs: [valueInfo('x', F32, [B, T, I])],
          outputs: [{ name: 'y' }, { name: 'yh' }],
          initializers: [tensor('w', w.shape, w.data as Float32Array), tensor('r', r.shape, r.data as Float32Array), tensor('b', b.shape, b.data as Float32Array)],
        },
        { x: xBatch },
      );
      expect([...out.y.shape]).toEqual([B, T, 2, H]);
      expect([...out.yh.shape]).toEqual([B, 2, H]);
      for (const d of [0, 1]) {
        const ys = naiveGru(xTime, w, r, b, d, H, d === 1, linearBeforeReset === 1);
        for (let t = 0; t < T; t++) for (let bi = 0; bi < B; bi++) for (let j = 0; j < H; j++) expect(at(out.y, bi, t, d, j)).toBeCloseTo(ys[t][bi][j], 5);
        const last = d === 1 ? ys[0] : ys[T - 1];
        for (let bi = 0; bi < B; bi++) for (let j = 0; j < H; j++) expect(at(out.yh, bi, d, j)).toBeCloseTo(last[bi][j], 5);
      }
    });
  }
});

describe('LSTM', () => {
  it('forward with initial states, peepholes and clip, by the ONNX equations', () => {
    const [T, B, I, H] = [4, 1, 3, 2];
    const x = randomTensor('f32', [T, B, I], 5);
    const w = randomTensor('f32', [1, 4 * H, I], 6);
    const r = randomTensor('f32', [1, 4 * H, H], 7);
    const b = randomTensor('f32', [1, 8 * H], 8);
    const h0 = randomTensor('f32', [1, B, H], 9);
    const c0 = randomTensor('f32', [1, B, H], 10);
    const p = randomTensor('f32', [1, 3 * H], 11);
    const clip = 1.5;
    const inits = [['w', w], ['r', r], ['b', b], ['h0', h0], ['c0', c0], ['p', p]] as const;
    const out = runReference(
      {
        nodes: [node('LSTM', ['x', 'w', 'r', 'b', '', 'h0', 'c0', 'p'], ['y', 'yh', 'yc'], { hidden_size: H, clip: { float: clip } })],
        inputs: [valueInfo('x', F32, [T, B, I])],
        outputs: [{ name: 'y' }, { name: 'yh' }, { name: 'yc' }],
        initializers: inits.map(([n, t]) => tensor(n, t.shape, t.data as Float32Array)),
      },
      { x },
    );
    let h = [0, 1].map((j) => at(h0, 0, 0, j));
    let c = [0, 1].map((j) => at(c0, 0, 0, j));
    const cl = (v: number) => Math.max(-clip, Math.min(clip, v));
    for (let t = 0; t < T; t++) {
      const pre = (g: number, j: number) => {
        let s = at(b, 0, g * H + j) + at(b, 0, 4 * H + g * H + j);
        for (let i = 0; i < I; i++) s += at(x, t, 0, i) * at(w, 0, g * H + j, i);
        for (let i = 0; i < H; i++) s += h[i] * at(r, 0, g * H + j, i);
        return s;
      };
      // gate order i, o, f, c; peepholes i, o, f
      const ig = h.map((_, j) => sigmoid(cl(pre(0, j) + at(p, 0, j) * c[j])));
      const fg = h.map((_, j) => sigmoid(cl(pre(2, j) + at(p, 0, 2 * H + j) * c[j])));
      const cand = h.map((_, j) => Math.tanh(cl(pre(3, j))));
      const cNext = c.map((cv, j) => fg[j] * cv + ig[j] * cand[j]);
      const og = h.map((_, j) => sigmoid(cl(pre(1, j) + at(p, 0, H + j) * cNext[j])));
      h = cNext.map((cv, j) => og[j] * Math.tanh(cv));
      c = cNext;
      for (let j = 0; j < H; j++) expect(at(out.y, t, 0, 0, j)).toBeCloseTo(h[j], 5);
    }
    for (let j = 0; j < H; j++) {
      expect(at(out.yh, 0, 0, j)).toBeCloseTo(h[j], 5);
      expect(at(out.yc, 0, 0, j)).toBeCloseTo(c[j], 5);
    }
  });
});

describe('quantization', () => {
  it('QuantizeLinear rounds half to even, adds the zero point and saturates to its type', () => {
    const bytes = modelBytes({
      nodes: [node('QuantizeLinear', ['x', 's', 'zu'], ['u']), node('QuantizeLinear', ['x', 's', 'zi'], ['i'])],
      inputs: [valueInfo('x', F32, [6])],
      outputs: [{ name: 'u' }, { name: 'i' }],
      initializers: [tensor('s', [], [0.5]), tensor('zu', [], [10], OnnxType.UINT8), tensor('zi', [], [-10], OnnxType.INT8)],
    });
    const x = { dtype: 'f32' as const, shape: [6], data: Float32Array.from([0.25, 0.75, -3, 200, -200, 1.25]) };
    const out = interpret(importOnnx(bytes).graph, { x }).outputs;
    // x / 0.5 = 0.5, 1.5, -6, 400, -400, 2.5 → round-half-even 0, 2, -6, 400, -400, 2
    expect(Array.from(out.u.data)).toEqual([10, 12, 4, 255, 0, 12]);
    expect(Array.from(out.i.data)).toEqual([-10, -8, -16, 127, -128, -8]);
  });

  it('DequantizeLinear per axis', () => {
    const out = runReference(
      {
        nodes: [node('DequantizeLinear', ['q', 's', 'z'], ['y'], { axis: 1 })],
        inputs: [valueInfo('q', OnnxType.UINT8, [2, 2])],
        outputs: [{ name: 'y' }],
        initializers: [tensor('s', [2], [0.5, 2]), tensor('z', [2], [1, 3], OnnxType.UINT8)],
      },
      { q: { dtype: 'i32', shape: [2, 2], data: Int32Array.from([1, 3, 5, 4]) } },
    );
    expect(Array.from(out.y.data)).toEqual([0, 0, 2, 2]);
  });
});
