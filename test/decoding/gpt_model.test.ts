import { describe, expect, it } from 'vitest';
import { buildDecodeGraph, buildPrefillGraph } from '../../compiler/decoding/graphs.js';
import { Gpt, MultiHeadAttention, Trace } from '../../compiler/dsl/index.js';
import { specialize } from '../../compiler/passes/specialize.js';
import { pastName, presentName } from '../../ir/decoder.js';
import { ShapeError, UsageError } from '../../ir/errors.js';
import type { Graph, HostTensor } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';

/**
 * The decoder's three graphs agree on the reference interpreter (float64): teacher forcing's
 * logits at position t, the prefill of the first t + 1 tokens, and a decode step after the
 * prefill of the first t. And the attention is causal: no position sees a later one.
 */

const CONFIG = { vocabSize: 13, contextLength: 16, layers: 2, heads: 2, dim: 8, embeddingStd: 0.7 };
const TOKENS = [3, 7, 1, 12, 0, 5, 9, 2];

function model(): Gpt {
  const m = new Gpt(CONFIG);
  m.namedParameters();
  m.initialize(4);
  return m;
}

const ids = (values: readonly number[]): HostTensor => ({ dtype: 'i32', shape: [1, values.length], data: Int32Array.from(values) });
const positions = (from: number, count: number): HostTensor => ({ dtype: 'i32', shape: [1, count], data: Int32Array.from({ length: count }, (_, i) => from + i) });
const run = (graph: Graph, dims: Record<string, number>, inputs: Record<string, HostTensor>) => interpret(specialize(graph, new Map(Object.entries(dims))), inputs, { f64: true }).outputs;

function teacherForcing(m: Gpt, tokens: readonly number[]): HostTensor {
  const t = new Trace('forward', { mode: 'eval' });
  t.output(m.call(t.input('x', 'i32', [1, tokens.length])), 'logits');
  return interpret(t.graph, { x: ids(tokens) }, { f64: true }).outputs.logits;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(Number(actual[i]) - Number(expected[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('the GPT decoder on the reference interpreter', () => {
  it("teacher forcing's logits at every position equal the prefill of that prefix", () => {
    const m = model();
    const all = teacherForcing(m, TOKENS);
    const prefill = buildPrefillGraph(m);
    for (let t = 1; t <= TOKENS.length; t++) {
      const out = run(prefill, { batch: 1, P: t }, { input_ids: ids(TOKENS.slice(0, t)), position_ids: positions(0, t) });
      expect(out.logits.shape).toEqual([1, 1, CONFIG.vocabSize]);
      expectClose(out.logits.data, all.data.subarray((t - 1) * CONFIG.vocabSize, t * CONFIG.vocabSize));
      expect(out[presentName(1, 'value')].shape).toEqual([1, CONFIG.heads, t, CONFIG.dim / CONFIG.heads]);
    }
  });

  it('a decode step after a prefill gives the logits and the cache of the longer prefill', () => {
    const m = model();
    const prefill = buildPrefillGraph(m);
    const decode = buildDecodeGraph(m);
    const t = 5;
    const before = run(prefill, { batch: 1, P: t }, { input_ids: ids(TOKENS.slice(0, t)), position_ids: positions(0, t) });
    const past: Record<string, HostTensor> = {};
    for (let layer = 0; layer < CONFIG.layers; layer++) for (const kind of ['key', 'value'] as const) past[pastName(layer, kind)] = before[presentName(layer, kind)];
    const step = run(decode, { batch: 1, T: t }, { input_ids: ids([TOKENS[t]]), position_ids: positions(t, 1), ...past });
    const whole = run(prefill, { batch: 1, P: t + 1 }, { input_ids: ids(TOKENS.slice(0, t + 1)), position_ids: positions(0, t + 1) });
    expectClose(step.logits.data, whole.logits.data);
    for (let layer = 0; layer < CONFIG.layers; layer++) {
      for (const kind of ['key', 'value'] as const) expectClose(step[presentName(layer, kind)].data, whole[presentName(layer, kind)].data);
    }
  });

  it('is causal: changing a later token leaves every earlier position unchanged', () => {
    const m = model();
    const a = teacherForcing(m, TOKENS);
    const changed = [...TOKENS];
    changed[5] = (changed[5] + 4) % CONFIG.vocabSize;
    const b = teacherForcing(m, changed);
    const v = CONFIG.vocabSize;
    expectClose(b.data.subarray(0, 5 * v), a.data.subarray(0, 5 * v), 0);
    // The test can fail: position 5 on does change.
    expect(Math.max(...Array.from(b.data.subarray(5 * v), (x, i) => Math.abs(x - a.data[5 * v + i])))).toBeGreaterThan(1e-6);
  });

  it('rejects bad configurations and caches with typed errors', () => {
    expect(() => new MultiHeadAttention(10, 3)).toThrow(ShapeError);
    expect(() => new Gpt({ ...CONFIG, layers: 0 })).toThrow(/layers must be a positive integer/);
    const m = model();
    const t = new Trace('bad', { mode: 'eval' });
    expect(() => m.call(t.input('x', 'i32', [1, CONFIG.contextLength + 1]))).toThrow(/exceed the context length 16/);
    const x = t.input('h', 'f32', [1, 2, CONFIG.dim]);
    const p = t.input('p', 'i32', [1, 2]);
    const kv = t.input('kv', 'f32', [1, CONFIG.heads, 3, CONFIG.dim / CONFIG.heads]);
    expect(() => m.blocks[0].attn.attend(x, { positions: p, past: { key: kv, value: kv } })).toThrow(UsageError);
    const one = t.input('one', 'f32', [1, 1, CONFIG.dim]);
    const wrongHeads = t.input('kv3', 'f32', [1, 3, 3, CONFIG.dim / CONFIG.heads]);
    expect(() => m.blocks[0].attn.attend(one, { positions: t.input('p1', 'i32', [1, 1]), past: { key: wrongHeads, value: kv } })).toThrow(/past key .* must be f32\[1, 2, length, 4\]/);
  });
});
