import type { Optimizer } from '../../compiler/optim/index.js';
import { optim, schedules } from '../../compiler/optim/index.js';
import type { OptimizerConfig, Schedule } from './textbook.js';

/**
 * Each optimizer and option with its default hyperparameters (β1 = 0.9, β2 = 0.999, ε = 1e-8,
 * α = 0.99, AdamW's weight decay 0.01), as the DSL writes it and as the textbook does.
 */
export interface OptimizerCase {
  readonly name: string;
  readonly optimizer: Optimizer;
  readonly textbook: OptimizerConfig;
}

const constant = (lr: number): Schedule => ({ kind: 'constant', lr });

export const OPTIMIZER_CASES: readonly OptimizerCase[] = [
  { name: 'sgd', optimizer: optim.sgd({ lr: 0.01 }), textbook: { kind: 'sgd', lr: constant(0.01) } },
  { name: 'sgd, momentum', optimizer: optim.sgd({ lr: 0.005, momentum: 0.9 }), textbook: { kind: 'sgd', lr: constant(0.005), momentum: 0.9 } },
  { name: 'sgd, Nesterov', optimizer: optim.sgd({ lr: 0.005, momentum: 0.9, nesterov: true }), textbook: { kind: 'sgd', lr: constant(0.005), momentum: 0.9, nesterov: true } },
  { name: 'adam', optimizer: optim.adam({ lr: 0.01 }), textbook: { kind: 'adam', lr: constant(0.01) } },
  { name: 'adamW', optimizer: optim.adamW({ lr: 0.01 }), textbook: { kind: 'adamw', lr: constant(0.01), weightDecay: 0.01 } },
  { name: 'rmsprop', optimizer: optim.rmsprop({ lr: 0.002 }), textbook: { kind: 'rmsprop', lr: constant(0.002) } },
  {
    name: 'rmsprop, centered, momentum',
    optimizer: optim.rmsprop({ lr: 0.001, centered: true, momentum: 0.9 }),
    textbook: { kind: 'rmsprop', lr: constant(0.001), centered: true, momentum: 0.9 },
  },
  { name: 'sgd, L2', optimizer: optim.sgd({ lr: 0.01, l2: 0.1 }), textbook: { kind: 'sgd', lr: constant(0.01), l2: 0.1 } },
  { name: 'sgd, L1', optimizer: optim.sgd({ lr: 0.01, l1: 0.05 }), textbook: { kind: 'sgd', lr: constant(0.01), l1: 0.05 } },
  { name: 'adam, L2 (coupled)', optimizer: optim.adam({ lr: 0.01, l2: 0.1 }), textbook: { kind: 'adam', lr: constant(0.01), l2: 0.1 } },
  { name: 'sgd, decoupled weight decay', optimizer: optim.sgd({ lr: 0.01, weightDecay: 0.1 }), textbook: { kind: 'sgd', lr: constant(0.01), weightDecay: 0.1 } },
  { name: 'adam, global-norm clipping', optimizer: optim.adam({ lr: 0.01, clipNorm: 0.5 }), textbook: { kind: 'adam', lr: constant(0.01), clipNorm: 0.5 } },
  { name: 'sgd, clipping', optimizer: optim.sgd({ lr: 0.05, clipNorm: 0.5 }), textbook: { kind: 'sgd', lr: constant(0.05), clipNorm: 0.5 } },
  {
    name: 'sgd, step decay',
    optimizer: optim.sgd({ lr: schedules.step(0.005, 7, 0.8) }),
    textbook: { kind: 'sgd', lr: { kind: 'step', lr: 0.005, stepSize: 7, gamma: 0.8 } },
  },
  {
    name: 'sgd, exponential decay',
    optimizer: optim.sgd({ lr: schedules.exponential(0.005, 0.5, 30) }),
    textbook: { kind: 'sgd', lr: { kind: 'exponential', lr: 0.005, gamma: 0.5, every: 30 } },
  },
  {
    name: 'adam, cosine',
    optimizer: optim.adam({ lr: schedules.cosine(0.01, 120, 0.001) }),
    textbook: { kind: 'adam', lr: { kind: 'cosine', lr: 0.01, totalSteps: 120, minLr: 0.001 } },
  },
  {
    name: 'adam, warm-up into cosine',
    optimizer: optim.adam({ lr: schedules.warmup(10, schedules.cosine(0.01, 100)) }),
    textbook: { kind: 'adam', lr: { kind: 'warmup', warmupSteps: 10, then: { kind: 'cosine', lr: 0.01, totalSteps: 100, minLr: 0 } } },
  },
];
