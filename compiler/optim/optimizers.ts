import type { Schedule } from './schedules.js';

/**
 * Optimizers as plain descriptions; `applyOptimizer` compiles one into a training step. The
 * update of each kind follows PyTorch's definition of the same name, so results can be
 * compared with it (docs/optimizers.md: exact formulas, where Keras/tfjs differ, measured
 * errors against float64):
 *
 *   sgd      b ← μ·b + g;  p ← p − lr·(nesterov ? g + μ·b : b)     (plain SGD when μ = 0)
 *   adam     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *            p ← p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)           (t = step + 1)
 *   adamw    adam with decoupled weight decay p ← p − lr·wd·p
 *   rmsprop  v ← α·v + (1−α)·g²;  d = √(v − ḡ²) + ε (centered, ḡ ← α·ḡ + (1−α)·g) or √v + ε;
 *            p ← p − lr·g/d, or with momentum b ← μ·b + g/d; p ← p − lr·b
 *
 * Shared options, applied in this order: clip the gradients by their global norm, add the
 * L2 (l2·p) and L1 (l1·sign p) terms, run the update, then decoupled weight decay. L1/L2 and
 * weight decay apply to parameters marked `decay` (weights, not biases or norm scales).
 */
export interface OptimizerOptions {
  /** A constant learning rate or a schedule computed from the step counter. */
  readonly lr: number | Schedule;
  readonly l1?: number;
  readonly l2?: number;
  /** Decoupled weight decay (AdamW's), for any optimizer. */
  readonly weightDecay?: number;
  /** Scale all gradients down so their global L2 norm is at most this. */
  readonly clipNorm?: number;
  /** When any gradient is NaN or ±Inf, keep every parameter and optimizer state as it was. */
  readonly skipNonFinite?: boolean;
}

export interface SgdOptions extends OptimizerOptions {
  readonly momentum?: number;
  readonly nesterov?: boolean;
}

export interface AdamOptions extends OptimizerOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

export interface RmspropOptions extends OptimizerOptions {
  readonly alpha?: number;
  readonly eps?: number;
  readonly momentum?: number;
  readonly centered?: boolean;
}

export type Optimizer =
  | { readonly kind: 'sgd'; readonly options: SgdOptions }
  | { readonly kind: 'adam'; readonly options: AdamOptions }
  | { readonly kind: 'adamw'; readonly options: AdamOptions }
  | { readonly kind: 'rmsprop'; readonly options: RmspropOptions };

/** Defaults as PyTorch's: Adam β1 0.9, β2 0.999, ε 1e-8; RMSprop α 0.99, ε 1e-8. */
export const optim = {
  sgd: (options: SgdOptions): Optimizer => ({ kind: 'sgd', options }),
  adam: (options: AdamOptions): Optimizer => ({ kind: 'adam', options }),
  /** Adam with decoupled weight decay (default 0.01, as PyTorch). */
  adamW: (options: AdamOptions): Optimizer => ({ kind: 'adamw', options: { weightDecay: 0.01, ...options } }),
  rmsprop: (options: RmspropOptions): Optimizer => ({ kind: 'rmsprop', options }),
};
