import { describe, expect, it } from 'vitest';
import { hostTensor, ShapeError } from '../../ir/index.js';
import { init, initialValue, nn, Parameter, Trace } from '../../compiler/dsl/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

describe('definition-time errors', () => {
  it('a matmul of mismatched shapes names the op, the shapes and the caller line', () => {
    const t = new Trace();
    const x = t.input('x', 'f32', ['N', 3]);
    const w = t.input('w', 'f32', [4, 2]);
    let caught: unknown;
    try {
      x.matmul(w); // the line the error must point at
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ShapeError);
    const message = (caught as Error).message;
    expect(message).toMatch(/^matmul 'matmul_0': inner dims differ: \[N,3\] @ \[4,2\]/);
    expect(message).toMatch(/\(at .*test[/\\]dsl[/\\]dsl\.test\.ts:\d+:\d+\)$/);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('errors inside a module point at the user code that called the model', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), nn.ReLU(), new nn.Linear(5, 2));
    model.initialize(0);
    const t = new Trace();
    expect(() => model.call(t.input('x', 'f32', [2, 3]))).toThrow(/layers\.2\/matmul_0.*\[2,4\] @ \[5,2\].*dsl\.test\.ts/);
  });

  it('a wrong rank is a ShapeError naming the op', () => {
    const t = new Trace();
    expect(() => t.input('x', 'f32', [2, 3]).softmax(2)).toThrow(/softmax 'softmax_0': axis 2 is out of range for rank 2/);
  });
});

describe('modules and parameters', () => {
  class Net extends nn.Module {
    encoder = new nn.Sequential(new nn.Linear(4, 8), nn.ReLU());
    heads = [new nn.Linear(8, 2), new nn.Linear(8, 3, { bias: false })];
    scale = new Parameter([1], init.ones());
    forward(x: import('../../compiler/dsl/index.js').Tensor) {
      const h = this.encoder.call(x);
      return this.heads[0].call(h).mul(x.trace.param(this.scale));
    }
  }

  it('user-defined modules collect their parameters by path', () => {
    const names = new Net().namedParameters().map(([n]) => n);
    expect(names).toEqual(['encoder.layers.0.weight', 'encoder.layers.0.bias', 'heads.0.weight', 'heads.0.bias', 'heads.1.weight', 'scale']);
  });

  it('parameters become graph states named by path; node names are scoped by module', () => {
    const net = new Net().initialize(3);
    const t = new Trace();
    net.call(t.input('x', 'f32', [2, 4]));
    expect([...t.graph.states.keys()].map((v) => v.name)).toEqual(['encoder.layers.0.weight', 'encoder.layers.0.bias', 'heads.0.weight', 'heads.0.bias', 'scale']);
    expect(t.graph.nodes.map((n) => n.name)).toContain('encoder/layers.0/matmul_0');
  });

  it('initial values depend on the seed and the name only', () => {
    const a = new nn.Linear(5, 7).initialize(1);
    const b = new nn.Linear(5, 7).initialize(1);
    const c = new nn.Linear(5, 7).initialize(2);
    expect([...a.weight.value.data]).toEqual([...b.weight.value.data]);
    expect([...a.weight.value.data]).not.toEqual([...c.weight.value.data]);
  });
});

describe('initializers', () => {
  const sample = (i: ReturnType<typeof init.zeros>, shape: number[], fans = { fanIn: 400, fanOut: 100 }) => [...initialValue(i, 'f32', shape, fans, 7, 'p').data];
  const stats = (v: number[]) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length), min: Math.min(...v), max: Math.max(...v) };
  };

  it('zeros, ones, constant', () => {
    expect(sample(init.zeros(), [3])).toEqual([0, 0, 0]);
    expect(sample(init.ones(), [2])).toEqual([1, 1]);
    expect(sample(init.constant(2.5), [2])).toEqual([2.5, 2.5]);
  });

  it('uniform and normal have the requested moments', () => {
    const u = stats(sample(init.uniform(-2, 4), [20000]));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(4);
    expect(Math.abs(u.mean - 1)).toBeLessThan(0.05);
    const n = stats(sample(init.normal(3, 1), [20000]));
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.1);
    expect(Math.abs(n.std - 3)).toBeLessThan(0.06);
  });

  it('Xavier/Glorot and He/Kaiming follow their fan-based scales', () => {
    const limit = Math.sqrt(6 / 500);
    const xu = stats(sample(init.xavierUniform(), [20000]));
    expect(xu.max).toBeLessThanOrEqual(limit);
    expect(xu.min).toBeGreaterThanOrEqual(-limit);
    expect(Math.abs(xu.std - limit / Math.sqrt(3))).toBeLessThan(0.003);
    expect(Math.abs(stats(sample(init.xavierNormal(), [20000])).std - Math.sqrt(2 / 500))).toBeLessThan(0.002);
    expect(Math.abs(stats(sample(init.heNormal(), [20000])).std - Math.sqrt(2 / 400))).toBeLessThan(0.002);
    expect(stats(sample(init.heUniform(), [20000])).max).toBeLessThanOrEqual(Math.sqrt(6 / 400));
  });
});

describe('normalization layers against hand computation', () => {
  it('BatchNorm: batch statistics and running-average updates in training, running ones in eval', () => {
    const bn = new nn.BatchNorm(2, { momentum: 0.5, eps: 1e-3 });
    bn.initialize(0);
    const xv = randomTensor('f32', [3, 2, 2], 4);
    const train = new Trace('t', { mode: 'train' });
    train.output(bn.call(train.input('x', 'f32', [3, 2, 2])), 'y');
    const r = interpret(train.graph, { x: xv }, { f64: true });
    const byChannel = (c: number) => [0, 1, 2].flatMap((n) => [0, 1].map((k) => Number(xv.data[n * 4 + c * 2 + k])));
    const y = r.outputs.y.data;
    for (const c of [0, 1]) {
      const v = byChannel(c);
      const mean = v.reduce((a, b) => a + b, 0) / 6;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / 6;
      [0, 1, 2].forEach((n) => [0, 1].forEach((k) => expect(Number(y[n * 4 + c * 2 + k])).toBeCloseTo((Number(xv.data[n * 4 + c * 2 + k]) - mean) / Math.sqrt(variance + 1e-3), 5)));
      const states = [...r.states].map(([s, t]) => [s.name, t] as const);
      const running = Object.fromEntries(states);
      expect(Number(running['runningMean'].data[c])).toBeCloseTo(0.5 * mean, 5);
      expect(Number(running['runningVar'].data[c])).toBeCloseTo(0.5 + 0.5 * variance * (6 / 5), 5);
    }
    const evaluation = new Trace('e', { mode: 'eval' });
    evaluation.output(bn.call(evaluation.input('x', 'f32', [3, 2, 2])), 'y');
    expect(evaluation.graph.stateUpdates.size).toBe(0);
    const e = interpret(evaluation.graph, { x: xv }).outputs.y;
    expectClose(e, hostTensor('f32', [3, 2, 2], [...xv.data].map((v) => v / Math.sqrt(1 + 1e-3))), { rtol: 1e-5, atol: 1e-6 });
  });

  it('LayerNorm normalizes the trailing axes', () => {
    const ln = new nn.LayerNorm([3]);
    ln.initialize(0);
    const t = new Trace();
    t.output(ln.call(t.input('x', 'f32', [2, 3])), 'y');
    const y = interpret(t.graph, { x: hostTensor('f32', [2, 3], [1, 2, 3, -1, 0, 4]) }, { f64: true }).outputs.y.data;
    const row = (v: number[]) => {
      const m = v.reduce((a, b) => a + b) / 3;
      const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / 3 + 1e-5);
      return v.map((x) => (x - m) / s);
    };
    [...row([1, 2, 3]), ...row([-1, 0, 4])].forEach((v, i) => expect(Number(y[i])).toBeCloseTo(v, 6));
  });

  it('Embedding picks rows', () => {
    const emb = new nn.Embedding(4, 2);
    emb.initialize(5);
    const t = new Trace();
    t.output(emb.call(t.input('i', 'i32', [3])), 'y');
    const y = interpret(t.graph, { i: hostTensor('i32', [3], [3, 0, 3]) }).outputs.y.data;
    const w = emb.weight.value.data;
    expect([...y]).toEqual([w[6], w[7], w[0], w[1], w[6], w[7]]);
  });
});
