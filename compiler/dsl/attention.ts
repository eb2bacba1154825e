import { ShapeError, UsageError } from '../../ir/index.js';
import type { Dim } from '../../ir/index.js';
import type { Initializer } from './init.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
import type { Tensor } from './tensor.js';
import { concat } from './tensor.js';

/**
 * Multi-head self-attention, with or without a cache of earlier keys and values. The cache
 * layout is the one transformers.js and optimum export: [batch, heads, length, headDim] per
 * layer, keys and values apart, the new positions appended along axis 2.
 */

/** Keys and values of one layer, each [batch, heads, length, headDim]. */
export interface KeyValue {
  readonly key: Tensor;
  readonly value: Tensor;
}

export interface AttentionContext {
  /** The position of each new token: i32 [batch, S], or [S] shared by the batch. */
  readonly positions: Tensor;
  /** Keys and values of the positions before these (absent: none, as in a prefill). */
  readonly past?: KeyValue;
}

/** What a masked score becomes: far enough below any real score that its weight is exactly 0. */
const MASKED_SCORE = -1e9;

/**
 * The causal mask of tokens at `positions` ([..., S]): mask[..., i, j] is true where token j
 * may be seen by token i (position j ≤ position i). A [batch, S] input gives [batch, 1, S, S],
 * broadcasting over the heads. Built from the positions rather than from S, so that it needs
 * no shape arithmetic: it is the same graph at any sequence length, exports to ONNX as four
 * plain ops, and folds to a constant where the positions are one.
 */
export function causalMask(positions: Tensor): Tensor {
  const mask = positions.unsqueeze(positions.rank - 1).lessEqual(positions.unsqueeze(positions.rank));
  return positions.rank >= 2 ? mask.unsqueeze(positions.rank - 1) : mask;
}

/** softmax(q·kᵀ/√d [masked])·v over [..., S, d] queries and [..., T, d] keys and values. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor): Tensor {
  const d = q.shape[q.rank - 1];
  if (typeof d !== 'number') throw new ShapeError(`attention: the head size of ${q} must be static`);
  const scores = q.matmul(k.mT).mul(1 / Math.sqrt(d));
  return (mask ? mask.where(scores, MASKED_SCORE) : scores).softmax(-1).matmul(v);
}

export interface MultiHeadAttentionOptions {
  /** Initializer of the projections' weights (default: Linear's). */
  readonly init?: Initializer;
  /** Initializer of the output projection (GPT-2 scales it down with depth). */
  readonly outputInit?: Initializer;
}

/**
 * Causal multi-head self-attention over [batch, S, dim]: one projection to queries, keys and
 * values (`qkv`, [dim, 3·dim]), `heads` heads of dim/heads, an output projection (`proj`).
 * `forward` attends over the sequence itself (training, evaluation); `attend` appends the new
 * keys and values to a cache and returns it.
 */
export class MultiHeadAttention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly headDim: number;

  constructor(
    readonly dim: number,
    readonly heads: number,
    options: MultiHeadAttentionOptions = {},
  ) {
    super();
    if (!Number.isInteger(dim / heads)) throw new ShapeError(`MultiHeadAttention: dim ${dim} does not divide into ${heads} heads`);
    this.headDim = dim / heads;
    this.qkv = new Linear(dim, 3 * dim, options.init ? { init: options.init } : {});
    this.proj = new Linear(dim, dim, options.outputInit ? { init: options.outputInit } : {});
  }

  /** Causal self-attention over a whole sequence of static length. */
  forward(x: Tensor): Tensor {
    const length = x.shape[x.rank - 2];
    if (typeof length !== 'number') throw new ShapeError(`MultiHeadAttention: ${x} has a symbolic length; use attend() with positions`);
    const positions = x.trace.op('range', [], { start: 0, limit: length, delta: 1, dtype: 'i32' });
    return this.#attend(x, { positions }).output;
  }

  /**
   * Attends from the new tokens `x` ([batch, S, dim]) over the cached positions and themselves.
   * Without a cache the new tokens see each other causally (a prefill); with one, a single new
   * token sees every cached position and itself (a decode step), so no mask is needed.
   * `present` is the cache with the new keys and values appended.
   */
  attend(x: Tensor, context: AttentionContext): { output: Tensor; present: KeyValue } {
    return this.within(x.trace, () => this.#attend(x, context));
  }

  #attend(x: Tensor, context: AttentionContext): { output: Tensor; present: KeyValue } {
    const [batch, length] = x.shape;
    if (x.rank !== 3 || x.shape[2] !== this.dim) throw new ShapeError(`MultiHeadAttention: input ${x} must be [batch, length, ${this.dim}]`);
    if (context.past && length !== 1) throw new UsageError(`MultiHeadAttention: with a cache, one new token at a time (got ${x}); prefill without one`);
    const qkv = this.qkv.call(x);
    const split = (i: number) => this.#heads(qkv.slice([i * this.dim], [(i + 1) * this.dim], [2]), batch, length);
    const [q, kNew, vNew] = [split(0), split(1), split(2)];
    const past = context.past;
    if (past) this.#checkPast(past, kNew);
    const key = past ? concat([past.key, kNew], 2) : kNew;
    const value = past ? concat([past.value, vNew], 2) : vNew;
    const mask = past ? undefined : causalMask(context.positions);
    const attended = scaledDotProductAttention(q, key, value, mask);
    const merged = attended.transpose([0, 2, 1, 3]).reshape([batch, length, this.dim]);
    return { output: this.proj.call(merged), present: { key, value } };
  }

  /** [batch, S, dim] → [batch, heads, S, headDim] */
  #heads(t: Tensor, batch: Dim, length: Dim): Tensor {
    return t.reshape([batch, length, this.heads, this.headDim]).transpose([0, 2, 1, 3]);
  }

  #checkPast(past: KeyValue, fresh: Tensor): void {
    for (const [name, t] of [['key', past.key], ['value', past.value]] as const) {
      const ok = t.rank === 4 && t.dtype === fresh.dtype && [0, 1, 3].every((i) => t.shape[i] === fresh.shape[i] || typeof t.shape[i] === 'string' || typeof fresh.shape[i] === 'string');
      if (!ok) throw new ShapeError(`MultiHeadAttention: past ${name} ${t} must be ${fresh.dtype}[${fresh.shape[0]}, ${this.heads}, length, ${this.headDim}]`);
    }
  }
}
