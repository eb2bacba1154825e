import type { DType, HostTensor, StaticShape } from '../../ir/index.js';
import { allocHost, numel, philox4x32, ShapeError, UsageError } from '../../ir/index.js';

/**
 * Seeded parameter initializers. Each parameter draws from its own Philox stream keyed by
 * (seed, hash of the parameter's name), so a value depends on the seed and the name only: adding
 * a layer does not change how the others start.
 */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly mean?: number; readonly std?: number }
  | { readonly kind: 'uniform'; readonly low?: number; readonly high?: number }
  /** Glorot & Bengio: U(±√(6/(fanIn+fanOut))) */
  | { readonly kind: 'xavierUniform'; readonly gain?: number }
  /** N(0, 2/(fanIn+fanOut)) */
  | { readonly kind: 'xavierNormal'; readonly gain?: number }
  /** He et al.: U(±√(6/fanIn)), for ReLU networks */
  | { readonly kind: 'heUniform' }
  /** N(0, 2/fanIn) */
  | { readonly kind: 'heNormal' }
  /** Given values (an imported model's weights); the seed plays no part. */
  | { readonly kind: 'values'; readonly tensor: HostTensor };

export const init = {
  zeros: (): Initializer => ({ kind: 'zeros' }),
  ones: (): Initializer => ({ kind: 'ones' }),
  constant: (value: number): Initializer => ({ kind: 'constant', value }),
  normal: (std = 1, mean = 0): Initializer => ({ kind: 'normal', mean, std }),
  uniform: (low = -1, high = 1): Initializer => ({ kind: 'uniform', low, high }),
  xavierUniform: (gain = 1): Initializer => ({ kind: 'xavierUniform', gain }),
  xavierNormal: (gain = 1): Initializer => ({ kind: 'xavierNormal', gain }),
  heUniform: (): Initializer => ({ kind: 'heUniform' }),
  heNormal: (): Initializer => ({ kind: 'heNormal' }),
  values: (tensor: HostTensor): Initializer => ({ kind: 'values', tensor }),
};

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** FNV-1a of a string: the stream selector of a named parameter. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Uniforms in (0, 1) from a Philox stream: element i uses words 0 and 1 of counter i. */
function streams(seed: number, name: string, n: number): { u: Float64Array; v: Float64Array } {
  const key = [seed >>> 0, hashName(name)];
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = philox4x32([i, 0, 0, 0], key);
    u[i] = (a + 0.5) / 2 ** 32;
    v[i] = (b + 0.5) / 2 ** 32;
  }
  return { u, v };
}

export function initialValue(initializer: Initializer, dtype: DType, shape: StaticShape, fans: Fans, seed: number, name: string): HostTensor {
  const n = numel(shape);
  const data = allocHost(dtype, n);
  const fill = (f: (i: number) => number) => {
    for (let i = 0; i < n; i++) data[i] = f(i);
  };
  const uniform = (low: number, high: number) => {
    const { u } = streams(seed, name, n);
    fill((i) => low + (high - low) * u[i]);
  };
  const normal = (mean: number, std: number) => {
    const { u, v } = streams(seed, name, n);
    // Box–Muller: both uniforms are strictly inside (0, 1), so the log is finite.
    fill((i) => mean + std * Math.sqrt(-2 * Math.log(u[i])) * Math.cos(2 * Math.PI * v[i]));
  };
  const need = (what: string) => {
    if (fans.fanIn <= 0 || fans.fanOut <= 0) throw new UsageError(`parameter '${name}': ${what} needs positive fan-in and fan-out, got ${fans.fanIn} and ${fans.fanOut}`);
  };
  switch (initializer.kind) {
    case 'zeros':
      break;
    case 'ones':
      fill(() => 1);
      break;
    case 'constant':
      fill(() => initializer.value);
      break;
    case 'normal':
      normal(initializer.mean ?? 0, initializer.std ?? 1);
      break;
    case 'uniform':
      uniform(initializer.low ?? -1, initializer.high ?? 1);
      break;
    case 'xavierUniform': {
      need('Xavier initialization');
      const a = (initializer.gain ?? 1) * Math.sqrt(6 / (fans.fanIn + fans.fanOut));
      uniform(-a, a);
      break;
    }
    case 'xavierNormal':
      need('Xavier initialization');
      normal(0, (initializer.gain ?? 1) * Math.sqrt(2 / (fans.fanIn + fans.fanOut)));
      break;
    case 'heUniform': {
      need('He initialization');
      const a = Math.sqrt(6 / fans.fanIn);
      uniform(-a, a);
      break;
    }
    case 'heNormal':
      need('He initialization');
      normal(0, Math.sqrt(2 / fans.fanIn));
      break;
    case 'values':
      if (initializer.tensor.data.length !== n) throw new ShapeError(`parameter '${name}': ${initializer.tensor.data.length} initial values for shape [${shape.join(',')}]`);
      data.set(initializer.tensor.data as never);
      break;
    default:
      return initializer satisfies never;
  }
  return { dtype, shape: [...shape], data };
}
