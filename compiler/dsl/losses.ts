import { DTypeError, isFloat, ShapeError } from '../../ir/index.js';
import type { Tensor } from './tensor.js';

/**
 * Losses. Each reduces per-example losses by `reduction`: 'mean' (the training default), 'sum',
 * or 'none' (one value per example: what evaluation sums over the real rows of a padded batch).
 */
export type Reduction = 'mean' | 'sum' | 'none';

/** A loss: predictions and targets → the reduced loss. */
export type LossFn = (prediction: Tensor, target: Tensor, reduction?: Reduction) => Tensor;

/** Per-element losses → per-example (mean over all but the batch axis) → reduced. */
function reduce(perElement: Tensor, reduction: Reduction, perExampleAxes: number[]): Tensor {
  if (reduction === 'mean') return perElement.mean();
  if (reduction === 'sum') return perExampleAxes.length ? perElement.mean(perExampleAxes).sum() : perElement.sum();
  return perExampleAxes.length ? perElement.mean(perExampleAxes) : perElement;
}

const trailing = (t: Tensor) => Array.from({ length: Math.max(0, t.rank - 1) }, (_, i) => i + 1);

/** Mean squared error. */
export const mse: LossFn = (prediction, target, reduction = 'mean') => reduce(prediction.sub(target).square(), reduction, trailing(prediction));

/** Mean absolute error (L1). */
export const l1: LossFn = (prediction, target, reduction = 'mean') => reduce(prediction.sub(target).abs(), reduction, trailing(prediction));

/**
 * Softmax cross-entropy over the last axis of `logits`, through logSoftmax (stable for any
 * logits). Targets are integer class labels ([...batch], i32) or per-class probabilities of
 * the logits' shape (one-hot or soft).
 */
export const crossEntropy: LossFn = (logits, target, reduction = 'mean') => {
  const logProbs = logits.logSoftmax(-1);
  const probs = isFloat(target.dtype) ? target : oneHot(target, logits);
  if (probs.rank !== logits.rank) throw new ShapeError(`crossEntropy: targets ${target} do not match logits ${logits}`);
  const perExample = probs.mul(logProbs).sum(-1).neg();
  return reduce(perExample, reduction, []);
};

/** Integer labels [...] → one-hot [..., classes] matching `logits`. */
export function oneHot(labels: Tensor, logits: Tensor): Tensor {
  if (labels.dtype !== 'i32' && labels.dtype !== 'u32') throw new DTypeError(`crossEntropy: labels ${labels} must be i32 class indices or float probabilities`);
  const classes = logits.shape[logits.rank - 1];
  if (typeof classes !== 'number') throw new ShapeError(`crossEntropy: the class axis of ${logits} must be static`);
  const iota = labels.trace.op('range', [], { start: 0, limit: classes, delta: 1, dtype: labels.dtype });
  return labels.unsqueeze([labels.rank]).equal(iota).cast(logits.dtype);
}

/**
 * Binary cross-entropy on logits, stable for any logit: softplus(x) − x·t, which equals
 * −t·log σ(x) − (1−t)·log(1−σ(x)) without evaluating either log of a saturated sigmoid.
 */
export const binaryCrossEntropyWithLogits: LossFn = (logits, target, reduction = 'mean') =>
  reduce(logits.softplus().sub(logits.mul(target)), reduction, trailing(logits));

/** Correct predictions per example (1 or 0), for accuracy: argmax for classes, sign for binary. */
export function correct(prediction: Tensor, target: Tensor): Tensor {
  const last = prediction.shape[prediction.rank - 1];
  if (!isFloat(target.dtype)) return prediction.argMax(-1).cast(target.dtype).equal(target).cast('f32');
  if (last === 1 || prediction.rank === 1) {
    const hits = prediction.greater(0).equal(target.greater(0.5)).cast('f32');
    return prediction.rank === 1 ? hits : hits.mean(trailing(prediction));
  }
  return prediction.argMax(-1).equal(target.argMax(-1)).cast('f32');
}

export const losses = { mse, l1, crossEntropy, binaryCrossEntropyWithLogits };
