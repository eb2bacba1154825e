import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { hostTensor, UnsupportedOpError } from '../../ir/index.js';
import { grad, gradients } from '../../compiler/autodiff/index.js';
import type { Tensor } from '../../compiler/dsl/index.js';
import { nn, Trace } from '../../compiler/dsl/index.js';
import { compile } from '../../compiler/compile.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { randomTensor } from '../helpers/random.js';

/** ∂f/∂x by autodiff and by central differences, both in float64. */
function check(shape: (number | string)[], concrete: number[], f: (x: Tensor) => Tensor): { autodiff: number[]; numeric: number[] } {
  const build = (withGrad: boolean) => {
    const t = new Trace();
    const x = t.input('x', 'f32', shape);
    const y = f(x);
    t.output(y, 'y');
    if (withGrad) t.output(grad(y, [x])[0]!, 'dx');
    return t.graph;
  };
  const x0 = randomTensor('f32', concrete, 3);
  const at = (data: Float64Array) => ({ x: { dtype: 'f32', shape: concrete, data } as HostTensor });
  const base = Float64Array.from(x0.data);
  const autodiff = [...interpret(build(true), at(base), { f64: true }).outputs.dx.data];
  const lossGraph = build(false);
  const loss = (d: Float64Array) => [...interpret(lossGraph, at(d), { f64: true }).outputs.y.data].reduce((a, v) => a + v, 0);
  const numeric = [...base].map((v, i) => {
    const up = Float64Array.from(base);
    const down = Float64Array.from(base);
    up[i] = v + 1e-5;
    down[i] = v - 1e-5;
    return (loss(up) - loss(down)) / 2e-5;
  });
  return { autodiff, numeric };
}

const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));

describe('the reverse-mode pass', () => {
  it('sums the gradients of a value used several times', () => {
    const { autodiff, numeric } = check([2, 3], [2, 3], (x) => x.mul(x).add(x.sin().mul(x)).sum(1).mul(x.mean(1)));
    close(autodiff, numeric);
  });

  it('works on symbolic dims (a mean over a batch of unknown size)', () => {
    const { autodiff, numeric } = check(['N', 3], [4, 3], (x) => x.square().mean(0).sum());
    close(autodiff, numeric);
  });

  it('lets no gradient through integer values', () => {
    const t = new Trace();
    const x = t.input('x', 'f32', [3]);
    const rounded = x.mul(10).cast('i32').cast('f32');
    const y = rounded.add(x.mul(2)).sum();
    const [dx] = grad(y, [x]);
    t.output(dx!, 'dx');
    const out = interpret(t.graph, { x: hostTensor('f32', [3], [0.1, 0.2, 0.3]) }).outputs.dx;
    expect([...out.data]).toEqual([2, 2, 2]);
  });

  it('returns null for values the output does not depend on, and for integer inputs', () => {
    const t = new Trace();
    const x = t.input('x', 'f32', [2]);
    const unused = t.input('u', 'f32', [2]);
    const labels = t.input('i', 'i32', [2]);
    const y = x.gather(labels).sum();
    expect(grad(y, [x, unused, labels]).map((g) => g === null)).toEqual([false, true, true]);
  });

  it('names the node of a differentiable op without a rule', () => {
    const t = new Trace();
    const x = t.input('x', 'f32', [2, 2]);
    const y = x.apply('scatterElements', [t.input('i', 'i32', [2, 2]), x], { axis: 0, reduction: 'mul' }).sum();
    expect(() => gradients(t.graph, y.value, [x.value])).toThrow(UnsupportedOpError);
    expect(() => gradients(t.graph, y.value, [x.value])).toThrow(/scatterElements 'scatterElements_0'.*reduction 'mul'/);
  });

  it('differentiates a symbolic-batch model that then compiles for a concrete batch', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), nn.Tanh(), new nn.Linear(4, 2)).initialize(1);
    const t = new Trace();
    const x = t.input('x', 'f32', ['N', 3]);
    const loss = model.call(x).square().mean();
    const params = [...t.parameters.values()].map((v) => t.wrap(v));
    grad(loss, params).forEach((g, i) => t.output(g!, `d${i}`));
    const plan = compile(t.graph, { dims: { N: 5 } });
    expect(plan.inputs.map((io) => plan.tensors[io.tensor].shape)).toEqual([[5, 3]]);
  });
});
