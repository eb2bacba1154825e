import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { stridesOf } from '../../ir/index.js';
import { closeEnough } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import type { modelBytes } from './helpers/onnx_builder.js';
import { F32, I64, int64s, node, valueInfo } from './helpers/onnx_builder.js';
import { runReference } from './helpers/run_reference.js';

/**
 * ONNX ops the importer composes from IR ops, checked against plain index-by-index
 * implementations written here from the ONNX operator definitions.
 */

function values(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number>, Number);
}

function expectAllClose(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!closeEnough(a, expected[i], { rtol: tol, atol: tol })) expect.fail(`element ${i}: ${a} vs ${expected[i]}`);
  });
}

/** A model of one node over named f32 inputs (shapes from the tensors) and initializers. */
function runOne(opType: string, inputs: Record<string, HostTensor>, attrs: Parameters<typeof node>[3] = {}, opts: { opset?: number; outputs?: string[]; inits?: Parameters<typeof modelBytes>[0]['initializers']; order?: string[] } = {}) {
  const outputs = opts.outputs ?? ['y'];
  const names = opts.order ?? Object.keys(inputs);
  return runReference(
    {
      opset: opts.opset ?? 17,
      nodes: [node(opType, names, outputs, attrs)],
      inputs: Object.entries(inputs).map(([n, t]) => valueInfo(n, t.dtype === 'i32' ? I64 : F32, t.shape)),
      outputs: outputs.map((o) => ({ name: o })),
      initializers: opts.inits,
    },
    inputs,
  );
}

/** numpy.einsum by enumerating every assignment of the labels. */
function naiveEinsum(equation: string, operands: HostTensor[]): { shape: number[]; data: number[] } {
  const [lhs, rhs] = equation.split('->');
  const terms = lhs.split(',');
  const size = new Map<string, number>();
  terms.forEach((t, k) => [...t].forEach((l, i) => size.set(l, operands[k].shape[i])));
  const labels = [...size.keys()];
  const out = [...rhs];
  const outShape = out.map((l) => size.get(l)!);
  const outStrides = stridesOf(outShape);
  const data = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const assign = new Map<string, number>();
  const walk = (d: number): void => {
    if (d === labels.length) {
      let prod = 1;
      terms.forEach((t, k) => {
        const strides = stridesOf(operands[k].shape);
        prod *= Number(operands[k].data[[...t].reduce((acc, l, i) => acc + strides[i] * assign.get(l)!, 0)]);
      });
      data[out.reduce((acc, l, i) => acc + outStrides[i] * assign.get(l)!, 0)] += prod;
      return;
    }
    for (let v = 0; v < size.get(labels[d])!; v++) {
      assign.set(labels[d], v);
      walk(d + 1);
    }
  };
  walk(0);
  return { shape: outShape, data };
}

describe('Einsum', () => {
  const cases: [string, number[][]][] = [
    ['ij,jk->ik', [[3, 4], [4, 5]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 1]]],
    ['i,i->', [[5], [5]]],
    ['ij->ji', [[3, 2]]],
    ['ij->i', [[3, 4]]],
    ['ii->i', [[4, 4]]],
    ['bii->bi', [[2, 3, 3]]],
    ['ij,kj->ikj', [[2, 3], [4, 3]]],
    ['abc,cd,de->abe', [[2, 3, 4], [4, 2], [2, 3]]],
    ['bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]]],
  ];
  for (const [equation, shapes] of cases) {
    it(equation, () => {
      const operands = shapes.map((s, i) => randomTensor('f32', s, 10 + i));
      const inputs = Object.fromEntries(operands.map((t, i) => [`x${i}`, t]));
      const y = runOne('Einsum', inputs, { equation }, { opset: 12 }).y;
      const want = naiveEinsum(equation, operands);
      expect([...y.shape]).toEqual(want.shape);
      expectAllClose(values(y), want.data);
    });
  }
  it('implicit output (no ->): alphabetical labels appearing once', () => {
    const a = randomTensor('f32', [3, 4], 1);
    const b = randomTensor('f32', [4, 2], 2);
    const y = runOne('Einsum', { a, b }, { equation: 'ij,jk' }, { opset: 12 }).y;
    expectAllClose(values(y), naiveEinsum('ij,jk->ik', [a, b]).data);
  });
  it('ellipsis broadcasting over batch dims', () => {
    const a = randomTensor('f32', [2, 3, 4], 3);
    const b = randomTensor('f32', [4, 5], 4);
    const y = runOne('Einsum', { a, b }, { equation: '...ij,jk->...ik' }, { opset: 12 }).y;
    expect([...y.shape]).toEqual([2, 3, 5]);
    expectAllClose(values(y), naiveEinsum('bij,jk->bik', [a, b]).data);
  });
});

describe('Gemm and normalizations', () => {
  it('Gemm with transA, transB, alpha, beta and a broadcast C', () => {
    const a = randomTensor('f32', [4, 3], 1); // A' is [3, 4]
    const b = randomTensor('f32', [5, 4], 2); // B' is [4, 5]
    const c = randomTensor('f32', [5], 3);
    const y = runOne('Gemm', { a, b, c }, { transA: 1, transB: 1, alpha: 0.5, beta: { float: 2 } }).y;
    const want: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += Number(a.data[k * 3 + i]) * Number(b.data[j * 4 + k]);
        want.push(0.5 * s + 2 * Number(c.data[j]));
      }
    }
    expectAllClose(values(y), want);
  });

  it('BatchNormalization (inference) per channel', () => {
    const x = randomTensor('f32', [2, 3, 2, 2], 4);
    const [scale, bias, mean] = [5, 6, 7].map((s) => randomTensor('f32', [3], s));
    const variance = randomTensor('f32', [3], 8, 0.5, 2);
    const y = runOne('BatchNormalization', { x, scale, bias, mean, variance }, { epsilon: { float: 0.01 } }).y;
    const want = values(x).map((v, i) => {
      const ch = Math.floor(i / 4) % 3;
      return ((v - Number(mean.data[ch])) / Math.sqrt(Number(variance.data[ch]) + 0.01)) * Number(scale.data[ch]) + Number(bias.data[ch]);
    });
    expectAllClose(values(y), want);
  });

  /** (x − mean)/√(var + ε) over groups of `size` consecutive elements. */
  function normalizeGroups(xs: number[], size: number, eps: number): number[] {
    const out: number[] = [];
    for (let g = 0; g < xs.length; g += size) {
      const group = xs.slice(g, g + size);
      const m = group.reduce((a, b) => a + b, 0) / size;
      const v = group.reduce((a, b) => a + (b - m) ** 2, 0) / size;
      out.push(...group.map((e) => (e - m) / Math.sqrt(v + eps)));
    }
    return out;
  }

  it('LayerNormalization over the trailing axes, with Mean and InvStdDev outputs', () => {
    const x = randomTensor('f32', [2, 3, 4], 9);
    const w = randomTensor('f32', [3, 4], 10);
    const b = randomTensor('f32', [3, 4], 11);
    const out = runOne('LayerNormalization', { x, w, b }, { axis: 1, epsilon: { float: 1e-3 } }, { outputs: ['y', 'mean', 'inv'] });
    const normalized = normalizeGroups(values(x), 12, 1e-3);
    expectAllClose(values(out.y), normalized.map((v, i) => v * Number(w.data[i % 12]) + Number(b.data[i % 12])));
    expect([...out.mean.shape]).toEqual([2, 1, 1]);
    const xs = values(x);
    expectAllClose(values(out.mean), [0, 1].map((n) => xs.slice(12 * n, 12 * n + 12).reduce((a, c) => a + c, 0) / 12));
  });

  it('InstanceNormalization and GroupNormalization (opset 18 per-group and 21 per-channel scale)', () => {
    const x = randomTensor('f32', [2, 4, 3], 12);
    const s = randomTensor('f32', [4], 13);
    const b = randomTensor('f32', [4], 14);
    const inst = runOne('InstanceNormalization', { x, s, b }, { epsilon: { float: 1e-5 } }).y;
    expectAllClose(values(inst), normalizeGroups(values(x), 3, 1e-5).map((v, i) => v * Number(s.data[Math.floor(i / 3) % 4]) + Number(b.data[Math.floor(i / 3) % 4])), 1e-4);
    const groupNorm = normalizeGroups(values(x), 6, 1e-5);
    const perChannel = runOne('GroupNormalization', { x, s, b }, { num_groups: 2, epsilon: { float: 1e-5 } }, { opset: 21 }).y;
    expectAllClose(values(perChannel), groupNorm.map((v, i) => v * Number(s.data[Math.floor(i / 3) % 4]) + Number(b.data[Math.floor(i / 3) % 4])), 1e-4);
    const gs = randomTensor('f32', [2], 15);
    const gb = randomTensor('f32', [2], 16);
    const perGroup = runOne('GroupNormalization', { x, gs, gb }, { num_groups: 2, epsilon: { float: 1e-5 } }, { opset: 18 }).y;
    expectAllClose(values(perGroup), groupNorm.map((v, i) => v * Number(gs.data[Math.floor(i / 6) % 2]) + Number(gb.data[Math.floor(i / 6) % 2])), 1e-4);
  });

  it('LRN sums squares over a window of channels', () => {
    const x = randomTensor('f32', [1, 5, 2], 17);
    const y = runOne('LRN', { x }, { size: 3, alpha: { float: 0.1 }, beta: { float: 0.75 }, bias: { float: 2 } }).y;
    const xs = values(x);
    const want = xs.map((v, i) => {
      const c = Math.floor(i / 2);
      let sq = 0;
      for (let k = Math.max(0, c - 1); k <= Math.min(4, c + 1); k++) sq += xs[k * 2 + (i % 2)] ** 2;
      return v / (2 + (0.1 / 3) * sq) ** 0.75;
    });
    expectAllClose(values(y), want);
  });
});

describe('layout compositions', () => {
  it('DepthToSpace DCR and CRD, SpaceToDepth, by their index formulas', () => {
    const [n, c, h, w, bs] = [1, 8, 2, 3, 2];
    const x = randomTensor('f32', [n, c, h, w], 18);
    const at = (ch: number, i: number, j: number) => Number(x.data[(ch * h + i) * w + j]);
    const dcr = runOne('DepthToSpace', { x }, { blocksize: bs, mode: 'DCR' }).y;
    const crd = runOne('DepthToSpace', { x }, { blocksize: bs, mode: 'CRD' }).y;
    const depth = c / (bs * bs);
    const wantDcr: number[] = [];
    const wantCrd: number[] = [];
    for (let d = 0; d < depth; d++) {
      for (let i = 0; i < h * bs; i++) {
        for (let j = 0; j < w * bs; j++) {
          const [bi, bj] = [i % bs, j % bs];
          wantDcr.push(at((bi * bs + bj) * depth + d, Math.floor(i / bs), Math.floor(j / bs)));
          wantCrd.push(at(d * bs * bs + bi * bs + bj, Math.floor(i / bs), Math.floor(j / bs)));
        }
      }
    }
    expect(values(dcr)).toEqual(wantDcr);
    expect(values(crd)).toEqual(wantCrd);
    const back = runOne('SpaceToDepth', { x: dcr }, { blocksize: bs }).y;
    expect([...back.shape]).toEqual([n, c, h, w]);
    expect(values(back)).toEqual(values(x));
  });
});

describe('losses', () => {
  it('SoftmaxCrossEntropyLoss with weights and ignore_index, and its log_prob output', () => {
    const scores = randomTensor('f32', [4, 3], 19);
    const labels: HostTensor = { dtype: 'i32', shape: [4], data: Int32Array.from([0, 2, -1, 1]) };
    const weights = randomTensor('f32', [3], 20, 0.5, 1.5);
    const out = runOne('SoftmaxCrossEntropyLoss', { scores, labels, weights }, { ignore_index: -1 }, { outputs: ['loss', 'logp'], opset: 13 });
    const s = values(scores);
    let num = 0;
    let den = 0;
    const logp: number[] = [];
    for (let n = 0; n < 4; n++) {
      const row = s.slice(3 * n, 3 * n + 3);
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      logp.push(...row.map((v) => v - lse));
      const label = Number(labels.data[n]);
      if (label === -1) continue;
      num += -(row[label] - lse) * Number(weights.data[label]);
      den += Number(weights.data[label]);
    }
    expectAllClose(values(out.loss), [num / den]);
    expectAllClose(values(out.logp), logp);
  });
});

describe('model-local functions', () => {
  it('inlines a function body, resolving attribute references', () => {
    const bytes = {
      opset: 17,
      extraOpsets: { custom: 1 },
      nodes: [{ ...node('ScaledAdd', ['a', 'b'], ['y'], { alpha: { float: 3 } }), domain: 'custom' }],
      inputs: [valueInfo('a', F32, [2]), valueInfo('b', F32, [2])],
      outputs: [valueInfo('y', F32, [2])],
      functions: [
        {
          name: 'ScaledAdd',
          domain: 'custom',
          input: ['A', 'B'],
          output: ['Y'],
          attribute: ['alpha'],
          opsetImport: [{ domain: '', version: 17 }],
          node: [
            node('Constant', [], ['k'], {}, 'k'),
            node('Mul', ['B', 'k'], ['scaled']),
            node('Add', ['A', 'scaled'], ['Y']),
          ].map((n, i) => (i === 0 ? { ...n, attribute: [{ name: 'value_float', refAttrName: 'alpha', type: 1 }] } : n)),
        },
      ],
    };
    const y = runReference(bytes, { a: { dtype: 'f32', shape: [2], data: Float32Array.from([1, 2]) }, b: { dtype: 'f32', shape: [2], data: Float32Array.from([10, 20]) } }).y;
    expect(values(y)).toEqual([31, 62]);
  });
});

describe('pooling indices and determinants', () => {
  /** Max over each window with its first flat index (row- or column-major spatial part). */
  function naiveMaxPool(x: HostTensor, k: number, stride: number, pad: number, columnMajor: boolean) {
    const [n, c, h, w] = x.shape;
    const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
    const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
    const values: number[] = [];
    const indices: number[] = [];
    for (let p = 0; p < n * c; p++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let best = -Infinity;
          let at = -1;
          for (let a = 0; a < k; a++) {
            for (let b = 0; b < k; b++) {
              const [y, z] = [i * stride - pad + a, j * stride - pad + b];
              if (y < 0 || z < 0 || y >= h || z >= w) continue;
              const v = Number(x.data[p * h * w + y * w + z]);
              if (v > best) [best, at] = [v, p * h * w + (columnMajor ? z * h + y : y * w + z)];
            }
          }
          values.push(best);
          indices.push(at);
        }
      }
    }
    return { values, indices };
  }

  for (const columnMajor of [false, true]) {
    it(`MaxPool with Indices (storage_order=${Number(columnMajor)})`, () => {
      const x = randomTensor('f32', [2, 2, 5, 6], 30);
      const out = runOne('MaxPool', { x }, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], storage_order: Number(columnMajor) }, { outputs: ['y', 'i'], opset: 12 });
      const want = naiveMaxPool(x, 3, 2, 1, columnMajor);
      expect(values(out.y)).toEqual(want.values);
      expect(values(out.i)).toEqual(want.indices);
    });
  }

  it('MaxUnpool scatters values back to their indices', () => {
    const x = randomTensor('f32', [1, 2, 4, 4], 31);
    const pooled = runOne('MaxPool', { x }, { kernel_shape: [2, 2], strides: [2, 2] }, { outputs: ['y', 'i'], opset: 12 });
    const y = runOne('MaxUnpool', { v: pooled.y, idx: pooled.i }, { kernel_shape: [2, 2], strides: [2, 2] }, { opset: 11 }).y;
    const want = new Array<number>(32).fill(0);
    values(pooled.i).forEach((flat, k) => (want[flat] = values(pooled.y)[k]));
    expect(values(y)).toEqual(want);
  });

  it('Det of 3×3 and 4×4 matrices by Laplace expansion', () => {
    const det = (m: number[], n: number): number =>
      n === 1 ? m[0] : Array.from({ length: n }, (_, j) => (j % 2 ? -1 : 1) * m[j] * det(m.slice(n).filter((_, i) => i % n !== j), n - 1)).reduce((a, b) => a + b, 0);
    for (const n of [3, 4]) {
      const x = randomTensor('f32', [2, n, n], 32 + n);
      const y = runOne('Det', { x }, {}, { opset: 11 }).y;
      const xs = values(x);
      expectAllClose(values(y), [0, 1].map((b) => det(xs.slice(b * n * n, (b + 1) * n * n), n)), 1e-4);
    }
  });
});

describe('signal ops', () => {
  it('DFT of a complex signal with a longer dft_length (zero padded), onesided, and its inverse', () => {
    const x = randomTensor('f32', [2, 5, 2], 40);
    const length = 8;
    const out = runOne('DFT', { x }, { axis: 1, onesided: 1 }, { opset: 17, order: ['x', 'len'], inits: [int64s('len', [length], [])] }).y;
    const bins = length / 2 + 1;
    expect([...out.shape]).toEqual([2, bins, 2]);
    const xs = values(x);
    const want: number[] = [];
    for (let b = 0; b < 2; b++) {
      for (let k = 0; k < bins; k++) {
        let [re, im] = [0, 0];
        for (let n = 0; n < 5; n++) {
          const [a, c] = [xs[(b * 5 + n) * 2], xs[(b * 5 + n) * 2 + 1]];
          const t = (-2 * Math.PI * k * n) / length;
          re += a * Math.cos(t) - c * Math.sin(t);
          im += a * Math.sin(t) + c * Math.cos(t);
        }
        want.push(re, im);
      }
    }
    expectAllClose(values(out), want, 1e-5);
    const full = runOne('DFT', { x }, { axis: 1 }, { opset: 17 }).y;
    const back = runOne('DFT', { full }, { axis: 1, inverse: 1 }, { opset: 17 }).y;
    expectAllClose(values(back), xs, 1e-5);
  });
});
