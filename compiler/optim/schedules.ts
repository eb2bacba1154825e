import type { Tensor } from '../dsl/tensor.js';

/**
 * Learning-rate schedules, evaluated on the GPU from the step counter each step (so a compiled
 * step never needs recompiling or a host-side lr). `t` is the 0-based step as f32.
 */
export type Schedule =
  | { readonly kind: 'constant'; readonly lr: number }
  /** lr · gamma^floor(t / stepSize) */
  | { readonly kind: 'step'; readonly lr: number; readonly stepSize: number; readonly gamma: number }
  /** minLr + (lr − minLr)·(1 + cos(π·min(t, totalSteps)/totalSteps))/2 */
  | { readonly kind: 'cosine'; readonly lr: number; readonly totalSteps: number; readonly minLr?: number }
  /** The inner schedule scaled by min(1, (t + 1)/warmupSteps): a linear ramp at the start. */
  | { readonly kind: 'warmup'; readonly warmupSteps: number; readonly then: Schedule };

export const schedules = {
  constant: (lr: number): Schedule => ({ kind: 'constant', lr }),
  step: (lr: number, stepSize: number, gamma = 0.1): Schedule => ({ kind: 'step', lr, stepSize, gamma }),
  cosine: (lr: number, totalSteps: number, minLr = 0): Schedule => ({ kind: 'cosine', lr, totalSteps, minLr }),
  warmup: (warmupSteps: number, then: Schedule | number): Schedule => ({ kind: 'warmup', warmupSteps, then: typeof then === 'number' ? { kind: 'constant', lr: then } : then }),
};

/** The learning rate at step t (f32 scalar tensor). */
export function learningRate(schedule: Schedule | number, t: Tensor): Tensor {
  const s: Schedule = typeof schedule === 'number' ? { kind: 'constant', lr: schedule } : schedule;
  const scalar = (v: number) => t.lift(v);
  switch (s.kind) {
    case 'constant':
      return scalar(s.lr);
    case 'step':
      return scalar(s.gamma).pow(t.div(s.stepSize).floor()).mul(s.lr);
    case 'cosine': {
      const minLr = s.minLr ?? 0;
      const progress = t.minimum(s.totalSteps).div(s.totalSteps);
      return progress.mul(Math.PI).cos().add(1).mul(0.5 * (s.lr - minLr)).add(minLr);
    }
    case 'warmup':
      return learningRate(s.then, t).mul(t.add(1).div(s.warmupSteps).minimum(1));
    default:
      return s satisfies never;
  }
}
