import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../ir/index.js';
import { hostTensor } from '../../ir/index.js';
import type { LossFn, Reduction } from '../../compiler/dsl/index.js';
import { binaryCrossEntropyWithLogits, correct, crossEntropy, l1, mse, Trace } from '../../compiler/dsl/index.js';
import { interpret } from '../../targets/reference/interpreter.js';

function evaluate(loss: LossFn, prediction: HostTensor, target: HostTensor, reduction: Reduction = 'mean'): number[] {
  const t = new Trace();
  const p = t.input('p', prediction.dtype, prediction.shape);
  const y = t.input('y', target.dtype, target.shape);
  t.output(loss(p, y, reduction), 'loss');
  return [...interpret(t.graph, { p: prediction, y: target }, { f64: true }).outputs.loss.data].map(Number);
}

const logits = hostTensor('f32', [2, 3], [1, 2, 0.5, -1, 3, 0]);
const logSoftmaxRow = (row: number[]) => {
  const m = Math.max(...row);
  const z = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) + m;
  return row.map((v) => v - z);
};
const rows = [logSoftmaxRow([1, 2, 0.5]), logSoftmaxRow([-1, 3, 0])];

describe('losses against hand computation', () => {
  it('softmax cross-entropy on integer labels, with each reduction', () => {
    const labels = hostTensor('i32', [2], [2, 1]);
    const perExample = [-rows[0][2], -rows[1][1]];
    expect(evaluate(crossEntropy, logits, labels, 'none')).toEqual(perExample.map((v) => expect.closeTo(v, 12)));
    expect(evaluate(crossEntropy, logits, labels)[0]).toBeCloseTo((perExample[0] + perExample[1]) / 2, 12);
    expect(evaluate(crossEntropy, logits, labels, 'sum')[0]).toBeCloseTo(perExample[0] + perExample[1], 12);
  });

  it('cross-entropy on one-hot targets equals the integer-label form; soft targets weight each class', () => {
    const oneHot = hostTensor('f32', [2, 3], [0, 0, 1, 0, 1, 0]);
    expect(evaluate(crossEntropy, logits, oneHot)[0]).toBeCloseTo(evaluate(crossEntropy, logits, hostTensor('i32', [2], [2, 1]))[0], 12);
    const soft = hostTensor('f32', [2, 3], [0.2, 0.3, 0.5, 1, 0, 0]);
    const expected = -(0.2 * rows[0][0] + 0.3 * rows[0][1] + 0.5 * rows[0][2] + rows[1][0]) / 2;
    // f32 inputs (0.2, 0.3 are not exact in f32): 7 digits.
    expect(evaluate(crossEntropy, logits, soft)[0]).toBeCloseTo(expected, 7);
  });

  it('cross-entropy stays finite for huge logits', () => {
    const big = hostTensor('f32', [1, 2], [1000, -1000]);
    expect(evaluate(crossEntropy, big, hostTensor('i32', [1], [1]))[0]).toBeCloseTo(2000, 6);
  });

  it('binary cross-entropy with logits: the textbook formula, and finite where it is not', () => {
    const x = [-2, 0.3, 4];
    const y = [0, 1, 0.25];
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const expected = x.map((v, i) => -(y[i] * Math.log(sigmoid(v)) + (1 - y[i]) * Math.log(1 - sigmoid(v))));
    expect(evaluate(binaryCrossEntropyWithLogits, hostTensor('f32', [3], x), hostTensor('f32', [3], y), 'none')).toEqual(expected.map((v) => expect.closeTo(v, 7)));
    const extreme = evaluate(binaryCrossEntropyWithLogits, hostTensor('f32', [2], [200, -200]), hostTensor('f32', [2], [0, 1]), 'none');
    expect(extreme).toEqual([expect.closeTo(200, 9), expect.closeTo(200, 9)]);
  });

  it('mse and L1 average over elements; per example with reduction none', () => {
    const p = hostTensor('f32', [2, 2], [1, 2, 3, 4]);
    const t = hostTensor('f32', [2, 2], [0, 4, 3, 1]);
    expect(evaluate(mse, p, t)[0]).toBeCloseTo((1 + 4 + 0 + 9) / 4, 12);
    expect(evaluate(mse, p, t, 'none')).toEqual([2.5, 4.5].map((v) => expect.closeTo(v, 12)));
    expect(evaluate(l1, p, t)[0]).toBeCloseTo((1 + 2 + 0 + 3) / 4, 12);
    expect(evaluate(l1, p, t, 'sum')[0]).toBeCloseTo(1.5 + 1.5, 12);
  });

  it('accuracy counts argmax hits for labels and one-hot targets, sign hits for binary', () => {
    const hits = (prediction: HostTensor, target: HostTensor) => evaluate((p, y) => correct(p, y), prediction, target);
    expect(hits(logits, hostTensor('i32', [2], [1, 0]))).toEqual([1, 0]);
    expect(hits(logits, hostTensor('f32', [2, 3], [0, 1, 0, 0, 1, 0]))).toEqual([1, 1]);
    expect(hits(hostTensor('f32', [3], [-1, 2, 0.5]), hostTensor('f32', [3], [0, 1, 0]))).toEqual([1, 1, 0]);
  });
});
