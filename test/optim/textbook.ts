/**
 * The optimizers and schedules as their documented formulas (docs/optimizers.md, PyTorch's
 * definitions), in plain TypeScript over number arrays: the float64 oracle of the compiled
 * steps. Shares no code with compiler/optim. Every arithmetic result goes through `round`:
 * the identity gives float64; Math.fround gives a float32 evaluation of the same formulas, the
 * yardstick of what float32 allows.
 *
 * The model is a two-layer linear MLP, y = (x·W1 + b1)·W2 + b2, under mean squared error:
 * every gradient is a few sums of products, so the float64 run is exact to ~1e-16 and any
 * difference from it is the optimizer's (or float32's).
 */

export type Rounding = (x: number) => number;
export const float64: Rounding = (x) => x;
export const float32: Rounding = Math.fround;

export type Schedule =
  | { readonly kind: 'constant'; readonly lr: number }
  | { readonly kind: 'step'; readonly lr: number; readonly stepSize: number; readonly gamma: number }
  | { readonly kind: 'exponential'; readonly lr: number; readonly gamma: number; readonly every: number }
  | { readonly kind: 'cosine'; readonly lr: number; readonly totalSteps: number; readonly minLr: number }
  | { readonly kind: 'warmup'; readonly warmupSteps: number; readonly then: Schedule };

/** The learning rate at 0-based step t, in float64. */
export function scheduledRate(s: Schedule, t: number): number {
  switch (s.kind) {
    case 'constant':
      return s.lr;
    case 'step':
      return s.lr * s.gamma ** Math.floor(t / s.stepSize);
    case 'exponential':
      return s.lr * s.gamma ** (t / s.every);
    case 'cosine': {
      // (1 + cos(π·u))/2 written as sin²(π(1 − u)/2): the same number, without float64's own
      // cancellation near u = 1 (1e-16 absolute, 4e-5 relative a step before the end of 1e6).
      const u = Math.min(t, s.totalSteps) / s.totalSteps;
      return s.minLr + (s.lr - s.minLr) * Math.sin((Math.PI * (1 - u)) / 2) ** 2;
    }
    case 'warmup':
      return scheduledRate(s.then, t) * Math.min(1, (t + 1) / s.warmupSteps);
    default:
      return s satisfies never;
  }
}

export interface OptimizerConfig {
  readonly kind: 'sgd' | 'adam' | 'adamw' | 'rmsprop';
  readonly lr: Schedule;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly alpha?: number;
  readonly centered?: boolean;
  readonly l1?: number;
  readonly l2?: number;
  readonly weightDecay?: number;
  readonly clipNorm?: number;
  readonly skipNonFinite?: boolean;
}

export interface MlpShape {
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
}

/** Parameters by the names the DSL gives them, row-major; weights are [in, out]. */
export type Parameters = Record<string, number[]>;

export const PARAMETER_NAMES = ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias'] as const;
/** L1/L2 and weight decay apply to weights only. */
const DECAYS: Record<string, boolean> = { 'layers.0.weight': true, 'layers.0.bias': false, 'layers.1.weight': true, 'layers.1.bias': false };

export interface Batch {
  readonly x: Float32Array; // [batch, inputs]
  readonly y: Float32Array; // [batch, outputs]
}

/** Gradients of mean((MLP(x) − y)²), in float64 (the data is f32, so both runs see the same). */
export function mlpGradients(shape: MlpShape, p: Parameters, batch: Batch): Parameters {
  const { batch: B, inputs: I, hidden: H, outputs: O } = shape;
  const [w1, b1, w2, b2] = PARAMETER_NAMES.map((n) => p[n]);
  const h = new Array<number>(B * H).fill(0);
  for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) {
    let s = b1[j];
    for (let i = 0; i < I; i++) s += batch.x[r * I + i] * w1[i * H + j];
    h[r * H + j] = s;
  }
  const d = new Array<number>(B * O).fill(0);
  for (let r = 0; r < B; r++) for (let o = 0; o < O; o++) {
    let s = b2[o];
    for (let j = 0; j < H; j++) s += h[r * H + j] * w2[j * O + o];
    d[r * O + o] = (2 * (s - batch.y[r * O + o])) / (B * O);
  }
  const g = { dw1: new Array<number>(I * H).fill(0), db1: new Array<number>(H).fill(0), dw2: new Array<number>(H * O).fill(0), db2: new Array<number>(O).fill(0) };
  for (let r = 0; r < B; r++) {
    for (let o = 0; o < O; o++) {
      g.db2[o] += d[r * O + o];
      for (let j = 0; j < H; j++) g.dw2[j * O + o] += h[r * H + j] * d[r * O + o];
    }
    for (let j = 0; j < H; j++) {
      let dh = 0;
      for (let o = 0; o < O; o++) dh += d[r * O + o] * w2[j * O + o];
      g.db1[j] += dh;
      for (let i = 0; i < I; i++) g.dw1[i * H + j] += batch.x[r * I + i] * dh;
    }
  }
  return { 'layers.0.weight': g.dw1, 'layers.0.bias': g.db1, 'layers.1.weight': g.dw2, 'layers.1.bias': g.db2 };
}

/** Mean squared error of the MLP on a batch (float64). */
export function mlpLoss(shape: MlpShape, p: Parameters, batch: Batch): number {
  const { batch: B, inputs: I, hidden: H, outputs: O } = shape;
  let loss = 0;
  for (let r = 0; r < B; r++) for (let o = 0; o < O; o++) {
    let s = p['layers.1.bias'][o];
    for (let j = 0; j < H; j++) {
      let hj = p['layers.0.bias'][j];
      for (let i = 0; i < I; i++) hj += batch.x[r * I + i] * p['layers.0.weight'][i * H + j];
      s += hj * p['layers.1.weight'][j * O + o];
    }
    loss += (s - batch.y[r * O + o]) ** 2;
  }
  return loss / (B * O);
}

/**
 * Trains from `initial` on the batches in order; `record(step, params)` sees the parameters
 * after each step (1-based). Gradients are float64 in both roundings: the yardstick measures
 * the optimizer's arithmetic in float32, not the model's.
 */
export function textbookTraining(
  config: OptimizerConfig,
  shape: MlpShape,
  initial: Parameters,
  batches: readonly Batch[],
  round: Rounding,
  record: (step: number, params: Parameters) => void,
): void {
  const r = round;
  let params: Parameters = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, initial[n].map(r)]));
  const state: Record<string, Record<string, number[]>> = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, {}]));
  batches.forEach((batch, t) => {
    const raw = mlpGradients(shape, params, batch);
    let norm2 = 0;
    for (const n of PARAMETER_NAMES) for (const v of raw[n]) norm2 += v * v;
    const norm = Math.sqrt(norm2);
    if (config.skipNonFinite && !Number.isFinite(norm)) {
      record(t + 1, params);
      return;
    }
    const clip = config.clipNorm === undefined ? 1 : r(Math.min(1, r(config.clipNorm / r(norm + 1e-6))));
    const lr = r(scheduledRate(config.lr, t));
    const next: Parameters = {};
    for (const n of PARAMETER_NAMES) {
      const decay = DECAYS[n];
      const p = params[n];
      const g = raw[n].map((v, i) => {
        let gi = r(r(v) * clip);
        if (decay && config.l2) gi = r(gi + r(r(config.l2) * p[i]));
        if (decay && config.l1) gi = r(gi + r(r(config.l1) * Math.sign(p[i])));
        return gi;
      });
      let updated = step(config, t + 1, p, g, lr, state[n], r);
      if (decay && config.weightDecay) updated = updated.map((u, i) => r(u - r(r(p[i] * lr) * r(config.weightDecay!))));
      next[n] = updated;
    }
    params = next;
    record(t + 1, params);
  });
}

/** One parameter's update; `count` is the 1-based step (Adam's t). */
function step(config: OptimizerConfig, count: number, p: number[], g: number[], lr: number, s: Record<string, number[]>, r: Rounding): number[] {
  const zeros = () => g.map(() => 0);
  switch (config.kind) {
    case 'sgd': {
      // PyTorch SGD: b ← μ·b + g (b = g at the first step); p ← p − lr·(nesterov ? g + μ·b : b).
      const mu = config.momentum ?? 0;
      if (mu === 0) return p.map((pi, i) => r(pi - r(g[i] * lr)));
      s.buf = (s.buf ?? zeros()).map((b, i) => r(r(b * r(mu)) + g[i]));
      const d = config.nesterov ? g.map((gi, i) => r(gi + r(s.buf[i] * r(mu)))) : s.buf;
      return p.map((pi, i) => r(pi - r(d[i] * lr)));
    }
    case 'adam':
    case 'adamw': {
      // m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε).
      const b1 = config.beta1 ?? 0.9;
      const b2 = config.beta2 ?? 0.999;
      const eps = config.eps ?? 1e-8;
      // Constants as the float32 run holds them (rounded once from float64).
      const [k1, k2, j1, j2] = [b1, b2, 1 - b1, 1 - b2].map(r);
      s.m = (s.m ?? zeros()).map((m, i) => r(r(m * k1) + r(g[i] * j1)));
      s.v = (s.v ?? zeros()).map((v, i) => r(r(v * k2) + r(r(g[i] * g[i]) * j2)));
      const c1 = r(1 - b1 ** count);
      const c2 = r(1 - b2 ** count);
      return p.map((pi, i) => r(pi - r(r(r(s.m[i] / c1) / r(r(Math.sqrt(r(s.v[i] / c2))) + r(eps))) * lr)));
    }
    case 'rmsprop': {
      // v ← α·v + (1−α)·g²; centered: ḡ ← α·ḡ + (1−α)·g, d = √(v − ḡ²) + ε, else d = √v + ε;
      // p ← p − lr·g/d, or with momentum b ← μ·b + g/d; p ← p − lr·b.
      const alpha = config.alpha ?? 0.99;
      const eps = config.eps ?? 1e-8;
      const [ka, ja] = [alpha, 1 - alpha].map(r);
      s.sq = (s.sq ?? zeros()).map((v, i) => r(r(v * ka) + r(r(g[i] * g[i]) * ja)));
      let variance = s.sq;
      if (config.centered) {
        s.mean = (s.mean ?? zeros()).map((m, i) => r(r(m * ka) + r(g[i] * ja)));
        variance = s.sq.map((v, i) => r(v - r(s.mean[i] * s.mean[i])));
      }
      const scaled = g.map((gi, i) => r(gi / r(r(Math.sqrt(variance[i])) + r(eps))));
      const mu = config.momentum ?? 0;
      if (mu === 0) return p.map((pi, i) => r(pi - r(scaled[i] * lr)));
      s.buf = (s.buf ?? zeros()).map((b, i) => r(r(b * r(mu)) + scaled[i]));
      return p.map((pi, i) => r(pi - r(s.buf[i] * lr)));
    }
    default:
      return config.kind satisfies never;
  }
}
