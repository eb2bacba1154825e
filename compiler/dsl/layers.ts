import type { Attrs, DType, Value } from '../../ir/index.js';
import { ShapeError, UsageError } from '../../ir/index.js';
import { invertedDropout } from './dropout.js';
import type { Initializer } from './init.js';
import { init } from './init.js';
import { Lambda, Module } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from './tensor.js';

/** nn building blocks. Layouts follow ONNX/PyTorch: images are NCHW, conv weights OIHW. */

const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface LinearOptions {
  readonly bias?: boolean;
  readonly init?: Initializer;
}

/** y = x·W + b with W: [in, out] (so no transpose), Glorot-uniform by default. */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    this.weight = new Parameter([inFeatures, outFeatures], options.init ?? init.xavierUniform(), { decay: true, fans: { fanIn: inFeatures, fanOut: outFeatures } });
    this.bias = options.bias === false ? null : new Parameter([outFeatures], init.zeros());
  }
  forward(x: Tensor): Tensor {
    const y = x.matmul(x.trace.param(this.weight));
    return this.bias ? y.add(x.trace.param(this.bias)) : y;
  }
}

export interface Conv2dOptions {
  readonly stride?: number | readonly [number, number];
  /** Zero padding on each side (symmetric), per axis. */
  readonly padding?: number | readonly [number, number];
  readonly dilation?: number | readonly [number, number];
  readonly groups?: number;
  readonly bias?: boolean;
  readonly init?: Initializer;
}

/** 2-D convolution over [N, C, H, W]; He-uniform by default (ReLU networks). */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly #attrs: { strides: number[]; pads: number[]; dilations: number[]; group: number };
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | readonly [number, number],
    options: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = pair(kernelSize);
    const groups = options.groups ?? 1;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) throw new ShapeError(`Conv2d: ${inChannels} in and ${outChannels} out channels must divide into ${groups} groups`);
    const fans = { fanIn: (inChannels / groups) * kh * kw, fanOut: (outChannels / groups) * kh * kw };
    this.weight = new Parameter([outChannels, inChannels / groups, kh, kw], options.init ?? init.heUniform(), { decay: true, fans });
    this.bias = options.bias === false ? null : new Parameter([outChannels], init.zeros());
    const [ph, pw] = pair(options.padding ?? 0);
    this.#attrs = { strides: pair(options.stride ?? 1), pads: [ph, pw, ph, pw], dilations: pair(options.dilation ?? 1), group: groups };
  }
  forward(x: Tensor): Tensor {
    const inputs = [x.trace.param(this.weight), ...(this.bias ? [x.trace.param(this.bias)] : [])];
    return x.apply('conv', inputs, this.#attrs);
  }
}

export interface PoolOptions {
  readonly stride?: number | readonly [number, number];
  readonly padding?: number | readonly [number, number];
  readonly ceilMode?: boolean;
}

function poolAttrs(kernelSize: number | readonly [number, number], options: PoolOptions) {
  const kernel = pair(kernelSize);
  const [ph, pw] = pair(options.padding ?? 0);
  return { kernelShape: kernel, strides: pair(options.stride ?? kernel), pads: [ph, pw, ph, pw], ceilMode: options.ceilMode ?? false };
}

/** A pooling window op over k×k windows; the stride defaults to the window size. */
abstract class Pool2d extends Module {
  readonly #attrs: ReturnType<typeof poolAttrs>;
  constructor(
    private readonly op: 'maxPool' | 'avgPool',
    kernelSize: number | readonly [number, number],
    options: PoolOptions,
  ) {
    super();
    this.#attrs = poolAttrs(kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return x.apply(this.op, [], this.#attrs);
  }
}

/** Max over k×k windows; the stride defaults to the window size. */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: number | readonly [number, number], options: PoolOptions = {}) {
    super('maxPool', kernelSize, options);
  }
}

/** Mean over k×k windows (padding not counted); the stride defaults to the window size. */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: number | readonly [number, number], options: PoolOptions = {}) {
    super('avgPool', kernelSize, options);
  }
}

export interface BatchNormOptions {
  readonly eps?: number;
  /** Weight of the current batch in the running statistics. */
  readonly momentum?: number;
}

/**
 * Batch normalization over axis 1 ([N, C, ...]). Training: batch statistics, and the running
 * mean/variance (non-trainable states) move toward them each step. Evaluation: the running ones.
 */
export class BatchNorm extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Parameter;
  readonly runningVar: Parameter;
  readonly eps: number;
  readonly momentum: number;
  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    this.weight = new Parameter([numFeatures], init.ones());
    this.bias = new Parameter([numFeatures], init.zeros());
    this.runningMean = new Parameter([numFeatures], init.zeros(), { trainable: false });
    this.runningVar = new Parameter([numFeatures], init.ones(), { trainable: false });
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
  }
  forward(x: Tensor): Tensor {
    const t = x.trace;
    if (x.rank < 2) throw new ShapeError(`BatchNorm: input ${x} must be [N, C, ...]`);
    const axes = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
    const perChannel = (p: Parameter) => t.param(p).reshape([this.numFeatures, ...Array<number>(x.rank - 2).fill(1)]);
    let mean: Tensor;
    let variance: Tensor;
    if (t.training) {
      mean = x.mean(axes, true);
      variance = x.sub(mean).square().mean(axes, true);
      const count = axes.reduce((n, a) => n * (typeof x.shape[a] === 'number' ? (x.shape[a] as number) : NaN), 1);
      const unbiased = Number.isFinite(count) && count > 1 ? count / (count - 1) : 1;
      const m = this.momentum;
      const running = (p: Parameter, batch: Tensor) => t.updateState(t.param(p), t.param(p).mul(1 - m).add(batch.reshape([this.numFeatures]).mul(m)));
      running(this.runningMean, mean);
      running(this.runningVar, variance.mul(unbiased));
    } else {
      mean = perChannel(this.runningMean);
      variance = perChannel(this.runningVar);
    }
    return x.sub(mean).mul(variance.add(this.eps).rsqrt()).mul(perChannel(this.weight)).add(perChannel(this.bias));
  }
}

/** Layer normalization over the trailing `normalizedShape` axes, with a learned scale and shift. */
export class LayerNorm extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | readonly number[],
    readonly eps = 1e-5,
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.weight = new Parameter(this.normalizedShape, init.ones());
    this.bias = new Parameter(this.normalizedShape, init.zeros());
  }
  forward(x: Tensor): Tensor {
    return x.apply('layerNorm', [x.trace.param(this.weight), x.trace.param(this.bias)], { axis: -this.normalizedShape.length, epsilon: this.eps });
  }
}

/**
 * Inverted dropout: in training, zeroes each element with probability p (a counter-based
 * random stream keyed by the seed and the step) and scales the rest by 1/(1-p); identity in
 * evaluation. The lowering is dropout.ts's, which ONNX Dropout imported for training shares.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new UsageError(`Dropout: p = ${p} must be in [0, 1)`);
  }
  forward(x: Tensor): Tensor {
    const t = x.trace;
    const writer = { op: (op: string, inputs: readonly Value[], attrs?: Attrs) => t.emit(op, inputs, attrs)[0], scalar: (value: number, dtype: DType) => t.scalar(value, dtype) };
    const random = t.training ? { randomKey: () => t.randomKey().value, nextSalt: () => t.nextSalt() } : undefined;
    const { output } = invertedDropout(writer, x.value, this.p, random);
    return output === x.value ? x : t.wrap(output);
  }
}

/** Rows of a [num, dim] table picked by integer indices: [..., dim]. */
export class Embedding extends Module {
  readonly weight: Parameter;
  constructor(
    readonly numEmbeddings: number,
    readonly dim: number,
    initializer: Initializer = init.normal(1),
  ) {
    super();
    this.weight = new Parameter([numEmbeddings, dim], initializer, { decay: true, fans: { fanIn: numEmbeddings, fanOut: dim } });
  }
  forward(indices: Tensor): Tensor {
    return indices.trace.param(this.weight).gather(indices, 0);
  }
}

export class Flatten extends Module {
  constructor(readonly startAxis = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startAxis);
  }
}

export const ReLU = () => new Lambda((x) => x.relu());
export const LeakyReLU = (alpha = 0.01) => new Lambda((x) => x.leakyRelu(alpha));
export const Sigmoid = () => new Lambda((x) => x.sigmoid());
export const Tanh = () => new Lambda((x) => x.tanh());
export const GELU = (approximate: 'none' | 'tanh' = 'none') => new Lambda((x) => x.gelu(approximate));
export const Softmax = (axis = -1) => new Lambda((x) => x.softmax(axis));
