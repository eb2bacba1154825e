import type { Attrs, Dim, DType, Graph, HostTensor, Shape, Value } from '../../ir/index.js';
import { normalizeAxis, UsageError } from '../../ir/index.js';
import type { Parameter } from './parameter.js';

/** A tensor operand, or a number (a scalar of the other operand's dtype). */
export type TensorLike = Tensor | number;

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

const axesOf = (axes: number | readonly number[] | undefined): number[] => (axes === undefined ? [] : typeof axes === 'number' ? [axes] : [...axes]);

/** Training mode draws dropout masks and uses batch statistics; eval mode does neither. */
export type Mode = 'train' | 'eval';

/**
 * The graph writer a tensor belongs to, as model code reaches it through `x.trace`: `Trace`
 * (trace.ts) is the one implementation. Declared here, beside the Tensor its methods return, so
 * that tensor.ts needs nothing of trace.ts while trace.ts builds Tensors.
 */
export interface TensorTrace {
  readonly graph: Graph;
  readonly mode: Mode;
  readonly seed: number;
  /** mode === 'train'. */
  readonly training: boolean;
  /** Parameters used by this graph so far, in first-use order. */
  readonly parameters: ReadonlyMap<Parameter, Value>;
  /** Applies an op to values; errors carry the user's source location. */
  emit(op: string, inputs: readonly Value[], attrs?: Attrs): Value[];
  /** Applies an op to tensors; returns its first output. */
  op(op: string, inputs: readonly Tensor[], attrs?: Attrs): Tensor;
  wrap(v: Value): Tensor;
  input(name: string, dtype: DType, shape: Shape): Tensor;
  constant(t: HostTensor, name?: string): Tensor;
  /** A rank-0 constant, shared by every use of the same value and dtype. */
  scalar(value: number, dtype?: DType): Value;
  /** A persistent tensor with an initial value; `updateState` says what replaces it each run. */
  state(name: string, initial: HostTensor): Tensor;
  updateState(state: Tensor, next: Tensor): void;
  /** The graph value of a parameter: a state named after it, created on first use. */
  param(p: Parameter): Tensor;
  /** The u32 step counter (a state, 0 at first): training graphs advance it by one per run. */
  stepCounter(): Tensor;
  /** The key of this run's random streams: (seed, step), a u32[2]. */
  randomKey(): Tensor;
  /** A distinct stream per random op of the graph (two dropouts in one step differ). */
  nextSalt(): number;
  output(t: Tensor, name: string): Tensor;
  /** Runs `fn` with node names under `name/`. */
  scope<T>(name: string, fn: () => T): T;
}

/**
 * A symbolic tensor: a value of the graph a Trace is writing. Methods are IR ops, so a model
 * reads like its math (`x.matmul(w).add(b).relu()`); shapes are checked as each op is applied,
 * and a mistake throws there, naming the op, the shapes and the caller's source line.
 */
export class Tensor {
  constructor(
    readonly trace: TensorTrace,
    readonly value: Value,
  ) {}

  get dtype(): DType {
    return this.value.type.dtype;
  }

  get shape(): Shape {
    return this.value.type.shape;
  }

  get rank(): number {
    return this.value.type.shape.length;
  }

  toString(): string {
    return `Tensor(${this.value.name}: ${this.dtype}[${this.shape.join(',')}])`;
  }

  /** Applies any registered op with this tensor as first input. */
  apply(op: string, others: readonly TensorLike[] = [], attrs: Attrs = {}): Tensor {
    return this.trace.op(op, [this, ...others.map((o) => this.lift(o))], attrs);
  }

  /** A number becomes a scalar constant of this tensor's dtype. */
  lift(o: TensorLike): Tensor {
    return typeof o === 'number' ? this.trace.wrap(this.trace.scalar(o, this.dtype)) : o;
  }

  // Arithmetic (numpy broadcasting).
  add(o: TensorLike): Tensor { return this.apply('add', [o]); }
  sub(o: TensorLike): Tensor { return this.apply('sub', [o]); }
  mul(o: TensorLike): Tensor { return this.apply('mul', [o]); }
  div(o: TensorLike): Tensor { return this.apply('div', [o]); }
  pow(o: TensorLike): Tensor { return this.apply('pow', [o]); }
  maximum(o: TensorLike): Tensor { return this.apply('max', [o]); }
  minimum(o: TensorLike): Tensor { return this.apply('min', [o]); }
  mod(o: TensorLike, fmod = false): Tensor { return this.apply('mod', [o], { fmod }); }
  atan2(o: TensorLike): Tensor { return this.apply('atan2', [o]); }
  prelu(slope: TensorLike): Tensor { return this.apply('prelu', [slope]); }
  /** a·a */
  square(): Tensor { return this.mul(this); }

  // Comparisons and logic (→ bool).
  equal(o: TensorLike): Tensor { return this.apply('equal', [o]); }
  notEqual(o: TensorLike): Tensor { return this.apply('notEqual', [o]); }
  less(o: TensorLike): Tensor { return this.apply('less', [o]); }
  lessEqual(o: TensorLike): Tensor { return this.apply('lessEqual', [o]); }
  greater(o: TensorLike): Tensor { return this.apply('greater', [o]); }
  greaterEqual(o: TensorLike): Tensor { return this.apply('greaterEqual', [o]); }
  and(o: Tensor): Tensor { return this.apply('and', [o]); }
  or(o: Tensor): Tensor { return this.apply('or', [o]); }
  not(): Tensor { return this.apply('not'); }
  /** This bool tensor picks `ifTrue` where true, else `ifFalse`. */
  where(ifTrue: TensorLike, ifFalse: TensorLike): Tensor {
    const like = typeof ifTrue === 'number' ? (typeof ifFalse === 'number' ? null : ifFalse) : ifTrue;
    const t = like ? like.lift(ifTrue) : this.trace.wrap(this.trace.scalar(ifTrue as number));
    return this.trace.op('where', [this, t, t.lift(ifFalse)]);
  }

  // Elementwise functions.
  neg(): Tensor { return this.apply('neg'); }
  abs(): Tensor { return this.apply('abs'); }
  exp(): Tensor { return this.apply('exp'); }
  log(): Tensor { return this.apply('log'); }
  sqrt(): Tensor { return this.apply('sqrt'); }
  rsqrt(): Tensor { return this.apply('rsqrt'); }
  reciprocal(): Tensor { return this.apply('reciprocal'); }
  sin(): Tensor { return this.apply('sin'); }
  cos(): Tensor { return this.apply('cos'); }
  tan(): Tensor { return this.apply('tan'); }
  asin(): Tensor { return this.apply('asin'); }
  acos(): Tensor { return this.apply('acos'); }
  atan(): Tensor { return this.apply('atan'); }
  sinh(): Tensor { return this.apply('sinh'); }
  cosh(): Tensor { return this.apply('cosh'); }
  tanh(): Tensor { return this.apply('tanh'); }
  sigmoid(): Tensor { return this.apply('sigmoid'); }
  relu(): Tensor { return this.apply('relu'); }
  leakyRelu(alpha = 0.01): Tensor { return this.apply('leakyRelu', [], { alpha }); }
  elu(alpha = 1): Tensor { return this.apply('elu', [], { alpha }); }
  selu(): Tensor { return this.apply('selu'); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor { return this.apply('gelu', [], { approximate }); }
  softplus(): Tensor { return this.apply('softplus'); }
  softsign(): Tensor { return this.apply('softsign'); }
  mish(): Tensor { return this.apply('mish'); }
  hardSigmoid(alpha = 0.2, beta = 0.5): Tensor { return this.apply('hardSigmoid', [], { alpha, beta }); }
  hardSwish(): Tensor { return this.apply('hardSwish'); }
  erf(): Tensor { return this.apply('erf'); }
  floor(): Tensor { return this.apply('floor'); }
  ceil(): Tensor { return this.apply('ceil'); }
  round(): Tensor { return this.apply('round'); }
  sign(): Tensor { return this.apply('sign'); }
  isNaN(): Tensor { return this.apply('isNaN'); }
  isInf(): Tensor { return this.apply('isInf'); }
  clip(lo: TensorLike, hi: TensorLike): Tensor { return this.apply('clip', [lo, hi]); }
  cast(to: DType): Tensor { return to === this.dtype ? this : this.apply('cast', [], { to }); }

  // Reductions (axes: none = all; negative axes count from the end).
  sum(axes?: number | readonly number[], keepdims = false): Tensor { return this.apply('reduceSum', [], { axes: axesOf(axes), keepdims }); }
  mean(axes?: number | readonly number[], keepdims = false): Tensor { return this.apply('reduceMean', [], { axes: axesOf(axes), keepdims }); }
  max(axes?: number | readonly number[], keepdims = false): Tensor { return this.apply('reduceMax', [], { axes: axesOf(axes), keepdims }); }
  min(axes?: number | readonly number[], keepdims = false): Tensor { return this.apply('reduceMin', [], { axes: axesOf(axes), keepdims }); }
  prod(axes?: number | readonly number[], keepdims = false): Tensor { return this.apply('reduceProd', [], { axes: axesOf(axes), keepdims }); }
  argMax(axis = -1, keepdims = false): Tensor { return this.apply('argMax', [], { axis, keepdims }); }
  argMin(axis = -1, keepdims = false): Tensor { return this.apply('argMin', [], { axis, keepdims }); }
  softmax(axis = -1): Tensor { return this.apply('softmax', [], { axis }); }
  logSoftmax(axis = -1): Tensor { return this.apply('logSoftmax', [], { axis }); }
  cumSum(axis: number, options: { exclusive?: boolean; reverse?: boolean } = {}): Tensor {
    return this.apply('cumSum', [], { axis, exclusive: options.exclusive ?? false, reverse: options.reverse ?? false });
  }
  /** Mean of squared deviations (biased, like batch statistics). */
  variance(axes?: number | readonly number[], keepdims = false): Tensor {
    const centered = this.sub(this.mean(axes, true));
    return centered.square().mean(axes, keepdims);
  }

  // Contraction.
  matmul(o: Tensor): Tensor { return this.apply('matmul', [o]); }

  // Layout.
  reshape(shape: readonly Dim[]): Tensor { return this.apply('reshape', [], { shape: [...shape] }); }
  /** Reverses the axes, or permutes them by `perm`. */
  transpose(perm: readonly number[] = []): Tensor { return this.apply('transpose', [], { perm: [...perm] }); }
  /** Swaps the last two axes (the matrix transpose of a batch of matrices). */
  get mT(): Tensor {
    const perm = [...Array(this.rank).keys()];
    [perm[this.rank - 2], perm[this.rank - 1]] = [perm[this.rank - 1], perm[this.rank - 2]];
    return this.transpose(perm);
  }
  /** Collapses the axes from `startAxis` on into one. */
  flatten(startAxis = 1): Tensor {
    const start = normalizeAxis(startAxis, this.rank, `flatten of ${this}`);
    const rest = this.shape.slice(start);
    const staticRest = rest.every((d) => typeof d === 'number');
    const tail = staticRest ? (rest as number[]).reduce((a, b) => a * b, 1) : -1;
    return this.reshape([...this.shape.slice(0, start), tail]);
  }
  slice(starts: readonly number[], ends: readonly number[], axes: readonly number[] = [], steps: readonly number[] = []): Tensor {
    return this.apply('slice', [], { starts: [...starts], ends: [...ends], axes: [...axes], steps: [...steps] });
  }
  gather(indices: Tensor, axis = 0): Tensor { return this.apply('gather', [indices], { axis }); }
  expand(shape: readonly Dim[]): Tensor { return this.apply('expand', [], { shape: [...shape] }); }
  squeeze(axes?: number | readonly number[]): Tensor { return this.apply('squeeze', [], { axes: axesOf(axes) }); }
  unsqueeze(axes: number | readonly number[]): Tensor { return this.apply('unsqueeze', [], { axes: axesOf(axes) }); }
  /** pads = [begin_0, ..., begin_n, end_0, ..., end_n] (ONNX order); negative pads crop. */
  pad(pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor { return this.apply('pad', [], { pads: [...pads], mode, value }); }
  tile(repeats: readonly number[]): Tensor { return this.apply('tile', [], { repeats: [...repeats] }); }
}

/** Joins tensors along an axis. */
export function concat(tensors: readonly Tensor[], axis: number): Tensor {
  if (tensors.length === 0) throw new UsageError('concat of no tensors');
  return tensors[0].trace.op('concat', tensors, { axis });
}

/** cond ? a : b, elementwise with broadcasting. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return cond.where(a, b);
}
