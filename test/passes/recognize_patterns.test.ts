import { describe, expect, it } from 'vitest';
import type { Value } from '../../ir/index.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { recognizePatterns } from '../../compiler/passes/recognize_patterns.js';
import { randomTensor } from '../helpers/random.js';
import { expectSameResults, printGraph, text } from './helpers.js';

const scalar = (b: GraphBuilder, value: number, name: string) => b.constant(hostTensor('f32', [], [value]), name);

/** The ops of the rewritten graph, one per node. */
const opsOf = (g: { nodes: readonly { op: string }[] }) => g.nodes.map((n) => n.op);

describe('recognizePatterns: GELU', () => {
  it('PyTorch erf form x * 0.5 * (1 + erf(x / sqrt(2))) → gelu', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['N', 8]);
    const erf = b.op('erf', [b.op('div', [x, scalar(b, 1.4142135381698608, 'sqrt2')], {}, 'scaled')], {}, 'erf');
    const cdf = b.op('add', [erf, scalar(b, 1, 'one')], {}, 'cdf');
    b.output(b.op('mul', [b.op('mul', [x, cdf], {}, 'xcdf'), scalar(b, 0.5, 'half')], {}, 'gelu'), 'y');
    const after = recognizePatterns(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[N,8]) {
        %y = gelu(%x) {approximate="none"} : f32[N,8]
        return %y
      }`);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-6, atol: 1e-6 }, { N: 3 });
  });

  it.each([
    ['0.5*x*(1+erf(x*0.7071))', (b: GraphBuilder, x: Value) => b.op('mul', [b.op('mul', [scalar(b, 0.5, 'h'), x]), b.op('add', [scalar(b, 1, 'o'), b.op('erf', [b.op('mul', [x, scalar(b, 0.70710678, 'c')])])])])],
    ['x*(erf(x/√2)+1)*0.5', (b: GraphBuilder, x: Value) => b.op('mul', [b.op('mul', [x, b.op('add', [b.op('erf', [b.op('div', [x, scalar(b, Math.SQRT2, 'c')])]), scalar(b, 1, 'o')])]), scalar(b, 0.5, 'h')])],
    ['x*(0.5 + 0.5*erf(x/√2))', (b: GraphBuilder, x: Value) => b.op('mul', [x, b.op('add', [scalar(b, 0.5, 'h'), b.op('mul', [scalar(b, 0.5, 'h2'), b.op('erf', [b.op('div', [x, scalar(b, Math.SQRT2, 'c')])])])])])],
  ])('erf variant %s → gelu', (_label, build) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4, 5]);
    b.output(build(b, b.op('relu', [x], {}, 'r')), 'y');
    const after = recognizePatterns(b.graph);
    expect(opsOf(after)).toEqual(['relu', 'gelu']);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-6, atol: 1e-6 });
  });

  it('tanh form, with pow(x, 3) or x*x*x → gelu {approximate: tanh}', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 17]);
    const tanhGelu = (cube: Value, name: string) => {
      const inner = b.op('add', [x, b.op('mul', [scalar(b, 0.044715, `${name}/c`), cube])]);
      const t = b.op('tanh', [b.op('mul', [inner, scalar(b, 0.7978845608028654, `${name}/k`)])]);
      return b.op('mul', [b.op('mul', [scalar(b, 0.5, `${name}/h`), x]), b.op('add', [t, scalar(b, 1, `${name}/one`)])], {}, name);
    };
    b.output(tanhGelu(b.op('pow', [x, scalar(b, 3, 'three')]), 'g1'));
    b.output(tanhGelu(b.op('mul', [x, b.op('mul', [x, x])]), 'g2'));
    const after = recognizePatterns(b.graph);
    expect(after.nodes.map((n) => `${n.op} ${n.attrs.approximate}`)).toEqual(['gelu tanh', 'gelu tanh']);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-6, atol: 1e-6 });
  });

  it('leaves near misses alone: another constant, another x inside erf', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [6]);
    const z = b.input('z', 'f32', [6]);
    const erfForm = (arg: Value, half: number) =>
      b.op('mul', [b.op('mul', [x, b.op('add', [b.op('erf', [b.op('div', [arg, scalar(b, Math.SQRT2, 'c')])]), scalar(b, 1, 'o')])]), scalar(b, half, 'h')]);
    b.output(erfForm(x, 0.6), 'wrongConstant');
    b.output(erfForm(z, 0.5), 'otherArgument');
    const after = recognizePatterns(b.graph);
    expect(opsOf(after)).not.toContain('gelu');
    expect(printGraph(after)).toBe(printGraph(b.graph));
  });
});

describe('recognizePatterns: softmax', () => {
  it('exp(x - max) / sum(exp(x - max)) → softmax, and its log form → logSoftmax', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3, 5]);
    const max = b.op('reduceMax', [x], { axes: [1], keepdims: true }, 'max');
    const shifted = b.op('sub', [x, max], {}, 'shifted');
    const e = b.op('exp', [shifted], {}, 'e');
    const sum = b.op('reduceSum', [e], { axes: [-2], keepdims: true }, 'sum');
    b.output(b.op('div', [e, sum], {}, 'probs'));
    b.output(b.op('sub', [shifted, b.op('log', [sum], {}, 'logSum')], {}, 'logProbs'));
    const after = recognizePatterns(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[2,3,5]) {
        %probs = softmax(%x) {axis=1} : f32[2,3,5]
        %logProbs = logSoftmax(%x) {axis=1} : f32[2,3,5]
        return %probs, %logProbs
      }`);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-6, atol: 1e-7 });
  });

  it('without the max, with a reciprocal, with a repeated exp (no CSE)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4, 7]);
    const sumOf = (v: Value) => b.op('reduceSum', [b.op('exp', [v])], { axes: [1], keepdims: true });
    b.output(b.op('mul', [b.op('reciprocal', [sumOf(x)]), b.op('exp', [x])], {}, 'plain'));
    const shifted = b.op('sub', [x, b.op('reduceMax', [x], { axes: [1], keepdims: true })]);
    b.output(b.op('div', [b.op('exp', [shifted]), sumOf(b.op('sub', [x, b.op('reduceMax', [x], { axes: [1], keepdims: true })]))], {}, 'repeated'));
    const after = recognizePatterns(b.graph);
    expect(opsOf(after)).toEqual(['softmax', 'softmax']);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-6, atol: 1e-7 });
  });

  it('keeps the max subtraction when it is along another axis (the result is still exact)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 4]);
    const shifted = b.op('sub', [x, b.op('reduceMax', [x], { axes: [0], keepdims: true }, 'colMax')], {}, 'shifted');
    const e = b.op('exp', [shifted], {}, 'e');
    b.output(b.op('div', [e, b.op('reduceSum', [e], { axes: [1], keepdims: true })], {}, 'p'));
    const after = recognizePatterns(b.graph);
    expect(opsOf(after)).toEqual(['reduceMax', 'sub', 'softmax']);
    expect(after.nodes[2].inputs[0].name).toBe('shifted');
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-6, atol: 1e-7 });
  });
});

describe('recognizePatterns: LayerNorm', () => {
  /** The exporter's decomposition: (x - mean) / sqrt(var + eps) * g + b over the last `k` axes. */
  function decomposedLayerNorm(b: GraphBuilder, x: Value, axes: number[], variant: 'pow-div' | 'mul-rsqrt' | 'mul-reciprocal'): Value {
    const mean = b.op('reduceMean', [x], { axes, keepdims: true }, 'mean');
    const d = b.op('sub', [x, mean], {}, 'd');
    const sq = variant === 'pow-div' ? b.op('pow', [d, scalar(b, 2, 'two')], {}, 'sq') : b.op('mul', [d, d], {}, 'sq');
    const variance = b.op('reduceMean', [sq], { axes, keepdims: true }, 'var');
    const ve = b.op('add', [variance, scalar(b, 1e-5, 'eps')], {}, 'varEps');
    if (variant === 'pow-div') return b.op('div', [d, b.op('sqrt', [ve], {}, 'std')], {}, 'n');
    if (variant === 'mul-rsqrt') return b.op('mul', [b.op('rsqrt', [ve], {}, 'invStd'), d], {}, 'n');
    return b.op('mul', [d, b.op('reciprocal', [b.op('sqrt', [ve], {}, 'std')], {}, 'invStd')], {}, 'n');
  }

  it('(x - mean) / sqrt(var + eps) * g + b → layerNorm(x, g, b)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['B', 5, 16]);
    const g = b.constant(randomTensor('f32', [16], 1), 'g');
    const beta = b.constant(randomTensor('f32', [16], 2), 'beta');
    const n = decomposedLayerNorm(b, x, [-1], 'pow-div');
    b.output(b.op('add', [b.op('mul', [n, g], {}, 'scaled'), beta], {}, 'ln'), 'y');
    const after = recognizePatterns(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[B,5,16]) {
        %g = const : f32[16]
        %beta = const : f32[16]
        %y = layerNorm(%x, %g, %beta) {axis=2, epsilon=0.00001} : f32[B,5,16]
        return %y
      }`);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-5, atol: 1e-5 }, { B: 2 });
  });

  it.each(['mul-rsqrt', 'mul-reciprocal'] as const)('variant %s over two axes, bias only → layerNorm(x, ones, b)', (variant) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2, 3, 4]);
    const beta = b.input('beta', 'f32', [1, 4]);
    const n = decomposedLayerNorm(b, x, [1, 2], variant);
    b.output(b.op('add', [beta, n], {}, 'y'));
    const after = recognizePatterns(b.graph);
    expect(after.nodes.map((node) => `${node.op}(${node.inputs.map((v) => v.name).join(',')}) axis=${node.attrs.axis}`)).toEqual(['layerNorm(x,n/ones,beta) axis=1']);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-5, atol: 1e-5 });
  });

  it("ONNX's own function body: var = mean(x²) - mean², scale and bias flattened to [1,C]", () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [6, 10]);
    const g = b.input('g', 'f32', [1, 10]);
    const beta = b.constant(randomTensor('f32', [1, 10], 3), 'beta');
    const mean = b.op('reduceMean', [x], { axes: [1], keepdims: true }, 'mean');
    const meanOfSquares = b.op('reduceMean', [b.op('mul', [x, x], {}, 'square')], { axes: [1], keepdims: true }, 'meanOfSquares');
    const variance = b.op('sub', [meanOfSquares, b.op('mul', [mean, mean], {}, 'squareOfMean')], {}, 'var');
    const std = b.op('sqrt', [b.op('add', [variance, scalar(b, 1e-3, 'eps')], {}, 'varEps')], {}, 'std');
    const n = b.op('div', [b.op('sub', [x, mean], {}, 'd'), std], {}, 'n');
    b.output(b.op('add', [b.op('mul', [n, g], {}, 'scaled'), beta], {}, 'y'));
    const after = recognizePatterns(b.graph);
    expect(printGraph(after)).toBe(text`
      graph main(%x: f32[6,10], %g: f32[1,10]) {
        %beta/squeezed = const : f32[10]
        %g/squeezed = squeeze(%g) {axes=[0]} : f32[10]
        %y = layerNorm(%x, %g/squeezed, %beta/squeezed) {axis=1, epsilon=0.001} : f32[6,10]
        return %y
      }`);
    // The single-pass variance of the source loses digits to cancellation: hence the tolerance.
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-4, atol: 1e-4 });
  });

  it('keeps intermediates others read, and does not take a scale that varies along rows', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 8]);
    const rowScale = b.input('rowScale', 'f32', [3, 1]);
    const n = decomposedLayerNorm(b, x, [1], 'pow-div');
    b.output(b.op('mul', [n, rowScale], {}, 'y'));
    b.output(b.graph.nodes[0].outputs[0], 'meanOut');
    const after = recognizePatterns(b.graph);
    expect(opsOf(after)).toEqual(['reduceMean', 'layerNorm', 'mul']);
    expectSameResults(b.graph, after, [1, 2], { rtol: 1e-5, atol: 1e-5 });
  });

  it('does not match a normalization over leading axes', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 8]);
    b.output(decomposedLayerNorm(b, x, [0], 'pow-div'), 'y');
    const after = recognizePatterns(b.graph);
    expect(printGraph(after)).toBe(printGraph(b.graph));
  });
});
