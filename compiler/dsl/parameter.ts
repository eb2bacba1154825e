import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { formatShape, ShapeError, UsageError } from '../../ir/index.js';
import type { Fans, Initializer } from './init.js';
import { initialValue } from './init.js';

export interface ParameterOptions {
  readonly dtype?: DType;
  /** False for buffers a module updates itself (BatchNorm's running statistics). */
  readonly trainable?: boolean;
  /** Whether weight decay and L1/L2 regularization apply (weights: yes; biases, norms: no). */
  readonly decay?: boolean;
  /** Fan-in and fan-out for Xavier/He initializers; default: from a [in, out] shape. */
  readonly fans?: Fans;
}

/**
 * A named persistent tensor of a model: a graph *state* in every graph that uses it. Its name
 * is its path in the module tree ("fc1.weight"), given when the model's parameters are listed;
 * the same name identifies it in a training plan, an evaluation plan and a checkpoint.
 */
export class Parameter {
  name = '';
  readonly dtype: DType;
  readonly trainable: boolean;
  readonly decay: boolean;
  readonly fans: Fans;
  #value: HostTensor | undefined;

  constructor(
    readonly shape: StaticShape,
    readonly initializer: Initializer,
    options: ParameterOptions = {},
  ) {
    this.dtype = options.dtype ?? 'f32';
    this.trainable = options.trainable ?? true;
    this.decay = options.decay ?? false;
    this.fans = options.fans ?? { fanIn: shape.length >= 2 ? shape[0] : shape[0] ?? 1, fanOut: shape.length >= 2 ? shape[1] : 1 };
  }

  /** Draws the initial value from the seed (and the name): reproducible bit for bit. */
  initialize(seed: number): HostTensor {
    if (!this.name) throw new UsageError('a parameter must be named (list the model\'s parameters) before it is initialized');
    this.#value = initialValue(this.initializer, this.dtype, this.shape, this.fans, seed, this.name);
    return this.#value;
  }

  get initialized(): boolean {
    return this.#value !== undefined;
  }

  /** The current host value: the initial one, or what a trainer last copied back. */
  get value(): HostTensor {
    if (!this.#value) throw new UsageError(`parameter '${this.name}' is not initialized (call initialize(seed) or compile a training step)`);
    return this.#value;
  }

  set value(t: HostTensor) {
    if (t.dtype !== this.dtype || t.shape.length !== this.shape.length || t.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(`parameter '${this.name}': value ${t.dtype}${formatShape(t.shape)} does not match ${this.dtype}${formatShape(this.shape)}`);
    }
    this.#value = t;
  }
}
