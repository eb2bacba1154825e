import { UsageError } from '../../ir/index.js';
import type { Tensor } from '../dsl/tensor.js';
import { powerAtStep } from './step_powers.js';

/**
 * Learning-rate schedules, evaluated on the device from the u32 step counter t (0-based) each
 * step, so a compiled step never needs recompiling or a host-side lr. Each is within a few f32
 * ulp of its formula evaluated in float64 (docs/optimizers.md has the measurements): no `pow`,
 * `cos` or `exp` of the device (WGSL allows them errors of 2^-21 to 2^-11 absolute), and no
 * float rounding of t in an integer decision.
 */
export type Schedule =
  | { readonly kind: 'constant'; readonly lr: number }
  /** lr · gamma^floor(t / stepSize) (PyTorch StepLR; Keras ExponentialDecay with staircase). */
  | { readonly kind: 'step'; readonly lr: number; readonly stepSize: number; readonly gamma: number }
  /** lr · gamma^(t / every) (Keras ExponentialDecay; PyTorch ExponentialLR when every = 1). */
  | { readonly kind: 'exponential'; readonly lr: number; readonly gamma: number; readonly every: number }
  /** minLr + (lr − minLr)·(1 + cos(π·min(t, totalSteps)/totalSteps))/2 (PyTorch CosineAnnealingLR's closed form). */
  | { readonly kind: 'cosine'; readonly lr: number; readonly totalSteps: number; readonly minLr?: number }
  /** The inner schedule scaled by min(1, (t + 1)/warmupSteps): a linear ramp at the start. */
  | { readonly kind: 'warmup'; readonly warmupSteps: number; readonly then: Schedule };

export const schedules = {
  constant: (lr: number): Schedule => ({ kind: 'constant', lr }),
  step: (lr: number, stepSize: number, gamma = 0.1): Schedule => ({ kind: 'step', lr, stepSize, gamma }),
  exponential: (lr: number, gamma: number, every = 1): Schedule => ({ kind: 'exponential', lr, gamma, every }),
  cosine: (lr: number, totalSteps: number, minLr = 0): Schedule => ({ kind: 'cosine', lr, totalSteps, minLr }),
  warmup: (warmupSteps: number, then: Schedule | number): Schedule => ({ kind: 'warmup', warmupSteps, then: typeof then === 'number' ? { kind: 'constant', lr: then } : then }),
};

/** The learning rate at step t (f32, t's shape) for the u32 step counter t. */
export function learningRate(schedule: Schedule | number, t: Tensor): Tensor {
  if (t.dtype !== 'u32') throw new UsageError(`learningRate needs the u32 step counter, got ${t}`);
  const s: Schedule = typeof schedule === 'number' ? { kind: 'constant', lr: schedule } : schedule;
  checkSchedule(s);
  const rate = (v: number) => t.trace.wrap(t.trace.scalar(v)).expand(t.shape);
  switch (s.kind) {
    case 'constant':
      return rate(s.lr);
    case 'step':
      // Integer division: floor of a float quotient can land one below a multiple of stepSize.
      return powerAtStep(s.gamma, t.div(s.stepSize)).mul(s.lr);
    case 'exponential':
      return powerAtStep(s.gamma, t, s.every).mul(s.lr);
    case 'cosine': {
      const minLr = s.minLr ?? 0;
      return cosineFactor(t, s.totalSteps).mul(s.lr - minLr).add(minLr);
    }
    case 'warmup': {
      const count = t.add(1);
      const ramp = count.cast('f32').mul(1 / s.warmupSteps);
      return learningRate(s.then, t).mul(count.greaterEqual(s.warmupSteps).where(1, ramp));
    }
    default:
      return s satisfies never;
  }
}

/**
 * (1 + cos(π·u))/2 for u = min(t, T)/T, as sin²(π(1 − u)/2) late in the schedule and
 * 1 − sin²(π·u/2) early: the argument of sin² stays below π/4, where a short series is exact to
 * f32, and nothing near 0 is the difference of two numbers near 1. ≤ 3.3 ulp emulated for
 * T ≤ 3e7, 3.8 on lavapipe.
 */
function cosineFactor(t: Tensor, total: number): Tensor {
  const done = t.minimum(total);
  const late = done.greaterEqual(Math.ceil(total / 2));
  const steps = late.where(t.lift(total).sub(done), done);
  const squaredSine = halfPiSineSquared(steps.cast('f32'), total);
  return late.where(squaredSine, squaredSine.neg().add(1));
}

/** sin²(π·n/(2T)) for 0 ≤ n ≤ T/2: w·Q(w), w = (π·n/(2T))², Q(w) = sin²(√w)/w by Horner. */
function halfPiSineSquared(n: Tensor, total: number): Tensor {
  const w = n.square().mul((Math.PI / (2 * total)) ** 2);
  // sin²z/z² = Σ_k a_k w^k, a_0 = 1, a_(k+1)/a_k = −4/((2k+4)(2k+3)); six terms reach 2^-30 at w = π²/16.
  let q = n.lift(1);
  for (let k = 5; k >= 0; k--) q = w.mul(4 / ((2 * k + 4) * (2 * k + 3))).mul(q).neg().add(1);
  return w.mul(q);
}

function checkSchedule(s: Schedule): void {
  const positiveInteger = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 1 || v > 2 ** 32 - 1) throw new UsageError(`${s.kind} schedule: ${what} is ${v}; it must be a positive integer below 2^32`);
  };
  const finite = (v: number, what: string) => {
    if (!Number.isFinite(v)) throw new UsageError(`${s.kind} schedule: ${what} is ${v}; it must be finite`);
  };
  switch (s.kind) {
    case 'constant':
      return finite(s.lr, 'lr');
    case 'step':
    case 'exponential':
      finite(s.lr, 'lr');
      if (!(s.gamma > 0) || !Number.isFinite(s.gamma)) throw new UsageError(`${s.kind} schedule: gamma is ${s.gamma}; it must be positive`);
      return positiveInteger(s.kind === 'step' ? s.stepSize : s.every, s.kind === 'step' ? 'stepSize' : 'every');
    case 'cosine':
      finite(s.lr, 'lr');
      finite(s.minLr ?? 0, 'minLr');
      return positiveInteger(s.totalSteps, 'totalSteps');
    case 'warmup':
      return positiveInteger(s.warmupSteps, 'warmupSteps');
    default:
      return s satisfies never;
  }
}
