import { ShapeError, UsageError } from '../../../ir/index.js';
import type { KeyValue } from '../attention.js';
import { MultiHeadAttention } from '../attention.js';
import { init } from '../init.js';
import { Embedding, LayerNorm, Linear } from '../layers.js';
import type { LossFn } from '../losses.js';
import { crossEntropy } from '../losses.js';
import { Module } from '../module.js';
import type { Tensor } from '../tensor.js';

/** The sizes of a GPT-style decoder. */
export interface GptConfig {
  readonly vocabSize: number;
  /** The most positions a sequence may have (rows of the position embedding). */
  readonly contextLength: number;
  readonly layers: number;
  readonly heads: number;
  /** Width of the residual stream; heads × head size. */
  readonly dim: number;
  /** Hidden width of the MLP as a multiple of dim (default 4). */
  readonly mlpRatio?: number;
  /** Standard deviation of the embeddings at initialization (default 0.02, as GPT-2). */
  readonly embeddingStd?: number;
}

/** A pre-LayerNorm transformer block: x + attn(ln1(x)), then + mlp(ln2(x)) with a tanh GELU. */
export class GptBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly fc: Linear;
  readonly out: Linear;

  constructor(dim: number, heads: number, mlpRatio: number) {
    super();
    this.ln1 = new LayerNorm(dim);
    this.attn = new MultiHeadAttention(dim, heads);
    this.ln2 = new LayerNorm(dim);
    this.fc = new Linear(dim, mlpRatio * dim);
    this.out = new Linear(mlpRatio * dim, dim);
  }

  forward(x: Tensor): Tensor {
    return this.#mlp(x.add(this.attn.call(this.ln1.call(x))));
  }

  /** The block over new tokens with a cache: its output and the cache with them appended. */
  step(x: Tensor, positions: Tensor, past: KeyValue | undefined): { output: Tensor; present: KeyValue } {
    return this.within(x.trace, () => {
      const { output, present } = this.attn.attend(this.ln1.call(x), past ? { positions, past } : { positions });
      return { output: this.#mlp(x.add(output)), present };
    });
  }

  #mlp(x: Tensor): Tensor {
    return x.add(this.out.call(this.fc.call(this.ln2.call(x)).gelu('tanh')));
  }
}

/**
 * A GPT-style decoder: token and learned position embeddings, `layers` pre-LN blocks of causal
 * self-attention and MLP, a final LayerNorm and a linear head to the vocabulary.
 *
 * - `forward(tokens)`: [batch, T] i32 → logits [batch, T, vocab], every position predicting
 *   the next (teacher forcing: the training graph).
 * - `step(ids, positions, past)`: the new tokens' logits at the last position [batch, 1, vocab]
 *   and the key/value cache with them appended (the prefill and decode graphs).
 * All three graphs name the parameters alike ("blocks.0.attn.qkv.weight"), so trained values
 * move between them by name.
 */
export class Gpt extends Module {
  readonly config: Required<GptConfig>;
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly blocks: GptBlock[];
  readonly lnF: LayerNorm;
  readonly head: Linear;

  constructor(config: GptConfig) {
    super();
    const c = { mlpRatio: 4, embeddingStd: 0.02, ...config };
    for (const key of ['vocabSize', 'contextLength', 'layers', 'heads', 'dim', 'mlpRatio'] as const) {
      if (!Number.isInteger(c[key]) || c[key] < 1) throw new UsageError(`Gpt: ${key} must be a positive integer, got ${c[key]}`);
    }
    this.config = c;
    this.wte = new Embedding(c.vocabSize, c.dim, init.normal(c.embeddingStd));
    this.wpe = new Embedding(c.contextLength, c.dim, init.normal(c.embeddingStd));
    this.blocks = Array.from({ length: c.layers }, () => new GptBlock(c.dim, c.heads, c.mlpRatio));
    this.lnF = new LayerNorm(c.dim);
    this.head = new Linear(c.dim, c.vocabSize, { bias: false });
  }

  get headDim(): number {
    return this.config.dim / this.config.heads;
  }

  /** Logits of every position of [batch, T] tokens (T static, at most contextLength). */
  forward(tokens: Tensor): Tensor {
    const length = tokens.shape[tokens.rank - 1];
    if (tokens.rank !== 2 || typeof length !== 'number') throw new ShapeError(`Gpt: tokens ${tokens} must be i32 [batch, length] with a static length`);
    if (length > this.config.contextLength) throw new ShapeError(`Gpt: ${length} positions exceed the context length ${this.config.contextLength}`);
    const positions = tokens.trace.op('range', [], { start: 0, limit: length, delta: 1, dtype: 'i32' });
    const h = this.blocks.reduce((x, block) => block.call(x), this.#embed(tokens, positions));
    return this.head.call(this.lnF.call(h));
  }

  /**
   * New tokens `ids` at `positions` (both i32 [batch, S]) after the cached `past` (one entry per
   * layer, or none for a prefill): the logits of the last new position and the new cache.
   */
  step(ids: Tensor, positions: Tensor, past?: readonly KeyValue[]): { logits: Tensor; present: KeyValue[] } {
    if (past && past.length !== this.blocks.length) throw new UsageError(`Gpt: a cache of ${past.length} layers for a model of ${this.blocks.length}`);
    let h = this.#embed(ids, positions);
    const present: KeyValue[] = [];
    this.blocks.forEach((block, i) => {
      const r = block.step(h, positions, past?.[i]);
      h = r.output;
      present.push(r.present);
    });
    const last = h.gather(h.trace.wrap(h.trace.scalar(-1, 'i32')), 1).unsqueeze(1);
    return { logits: this.head.call(this.lnF.call(last)), present };
  }

  #embed(ids: Tensor, positions: Tensor): Tensor {
    return this.wte.call(ids).add(this.wpe.call(positions));
  }
}

/**
 * Cross-entropy of next-token logits [batch, T, vocab] against targets [batch, T]: the mean
 * over every position; per sequence (mean over its positions) with reduction 'none', which is
 * what an evaluation sums over the sequences of a batch.
 */
export const nextTokenLoss: LossFn = (logits, targets, reduction = 'mean') => {
  if (reduction === 'none') return crossEntropy(logits, targets, 'none').mean(-1);
  return crossEntropy(logits, targets, reduction);
};
