import { hostTensor, UsageError } from '../../ir/index.js';
import type { Parameter } from '../dsl/parameter.js';
import type { Tensor } from '../dsl/tensor.js';
import type { Trace } from '../dsl/trace.js';
import type { AdamOptions, Optimizer, RmspropOptions, SgdOptions } from './optimizers.js';
import { learningRate } from './schedules.js';
import { oneMinusPowerAtStep } from './step_powers.js';

/** A trainable parameter of the step graph with its gradient (null: the loss ignores it). */
export interface ParameterGradient {
  readonly parameter: Parameter;
  readonly value: Tensor;
  readonly grad: Tensor | null;
}

export interface OptimizerResult {
  /** Global L2 norm of the raw gradients (before clipping and regularization). */
  readonly gradNorm: Tensor;
  /** 1 when every gradient is finite, else 0 (f32 scalar). */
  readonly finite: Tensor;
  /** Per parameter with a gradient (in `gradientNames` order): 1 when its gradient is finite. */
  readonly gradientFinite: Tensor | null;
  readonly gradientNames: readonly string[];
  /** Names of the optimizer's own states (moments), for checkpoints. */
  readonly stateNames: readonly string[];
}

interface Proposal {
  readonly state: Tensor;
  readonly next: Tensor;
}

/**
 * Appends the optimizer's update of every parameter to a training-step graph: each parameter
 * and moment becomes `next` through a state update, so the device updates them in place.
 * `step` is the u32 step counter before this step's increment. Scalars that depend only on the
 * step (learning rate, Adam's bias corrections) are computed once, not per parameter.
 */
export function applyOptimizer(trace: Trace, optimizer: Optimizer, params: readonly ParameterGradient[], step: Tensor): OptimizerResult {
  const o = optimizer.options;
  const live = params.filter((p): p is ParameterGradient & { grad: Tensor } => p.grad !== null);
  checkOptimizer(optimizer);
  return trace.scope('optimizer', () => {
    const lr = learningRate(o.lr, step);
    const corrections = optimizer.kind === 'adam' || optimizer.kind === 'adamw' ? biasCorrections(optimizer.options, step) : null;
    const zero = trace.wrap(trace.scalar(0));
    const perParameter = live.map((p) => p.grad.square().sum());
    const sumSquares = perParameter.reduce((acc, v) => acc.add(v), zero);
    const gradNorm = sumSquares.sqrt();
    const finite = sumSquares.isNaN().or(sumSquares.isInf()).not();
    const clipScale = o.clipNorm !== undefined ? gradNorm.add(1e-6).reciprocal().mul(o.clipNorm).minimum(1) : null;

    const proposals: Proposal[] = [];
    const stateNames: string[] = [];
    const moment = (p: Parameter, name: string): Tensor => {
      const full = `${p.name}/${optimizer.kind}.${name}`;
      stateNames.push(full);
      return trace.state(full, hostTensor(p.dtype, p.shape));
    };
    const propose = (state: Tensor, next: Tensor) => proposals.push({ state, next });

    for (const { parameter, value: p, grad } of live) {
      trace.scope(parameter.name, () => {
        let g = clipScale ? grad.mul(clipScale) : grad;
        if (parameter.decay && o.l2) g = g.add(p.mul(o.l2));
        if (parameter.decay && o.l1) g = g.add(p.sign().mul(o.l1));
        let next = update(optimizer, p, g, lr, corrections, (name) => moment(parameter, name), propose);
        if (parameter.decay && o.weightDecay) next = next.sub(p.mul(lr).mul(o.weightDecay));
        propose(p, next);
      });
    }
    for (const { state, next } of proposals) trace.updateState(state, o.skipNonFinite ? finite.where(next, state) : next);
    // Which gradient went non-finite first, for the numeric guard's message.
    const flags = perParameter.map((v) => v.isNaN().or(v.isInf()).not().cast('f32').reshape([1]));
    const gradientFinite = flags.length ? concatInChunks(flags) : null;
    return { gradNorm, finite: finite.cast('f32'), gradientFinite, gradientNames: live.map((p) => p.parameter.name), stateNames };
  });
}

/**
 * Concatenates along axis 0 a few at a time: one concat reads each input through a binding of
 * its own, and a model with more parameters than the device's storage bindings per kernel
 * (8 by WebGPU's defaults) would otherwise get a kernel no device can run.
 */
function concatInChunks(parts: readonly Tensor[], chunk = 4): Tensor {
  if (parts.length <= chunk) return parts[0].trace.op('concat', parts, { axis: 0 });
  const joined: Tensor[] = [];
  for (let i = 0; i < parts.length; i += chunk) joined.push(concatInChunks(parts.slice(i, i + chunk), chunk));
  return concatInChunks(joined, chunk);
}

type MomentOf = (name: string) => Tensor;
type Propose = (state: Tensor, next: Tensor) => void;

/** Adam's 1 − β1^t and 1 − β2^t at t = step + 1, exact to f32 (see step_powers.ts). */
interface BiasCorrections {
  readonly first: Tensor;
  readonly second: Tensor;
}

function biasCorrections(o: AdamOptions, step: Tensor): BiasCorrections {
  const count = step.add(1);
  return { first: oneMinusPowerAtStep(o.beta1 ?? 0.9, count), second: oneMinusPowerAtStep(o.beta2 ?? 0.999, count) };
}

/** One parameter's new value under the optimizer's rule; moments are proposed as it goes. */
function update(optimizer: Optimizer, p: Tensor, g: Tensor, lr: Tensor, corrections: BiasCorrections | null, moment: MomentOf, propose: Propose): Tensor {
  switch (optimizer.kind) {
    case 'sgd':
      return sgd(optimizer.options, p, g, lr, moment, propose);
    case 'adam':
    case 'adamw':
      return adam(optimizer.options, p, g, lr, corrections!, moment, propose);
    case 'rmsprop':
      return rmsprop(optimizer.options, p, g, lr, moment, propose);
    default:
      throw new UsageError(`unknown optimizer '${(optimizer as { kind: string }).kind}'`);
  }
}

function sgd(o: SgdOptions, p: Tensor, g: Tensor, lr: Tensor, moment: MomentOf, propose: Propose): Tensor {
  const mu = o.momentum ?? 0;
  if (mu === 0) return p.sub(g.mul(lr));
  const buf = moment('momentum');
  const nextBuf = buf.mul(mu).add(g);
  propose(buf, nextBuf);
  const direction = o.nesterov ? g.add(nextBuf.mul(mu)) : nextBuf;
  return p.sub(direction.mul(lr));
}

function adam(o: AdamOptions, p: Tensor, g: Tensor, lr: Tensor, corrections: BiasCorrections, moment: MomentOf, propose: Propose): Tensor {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  const m = moment('m');
  const v = moment('v');
  const nextM = m.mul(b1).add(g.mul(1 - b1));
  const nextV = v.mul(b2).add(g.square().mul(1 - b2));
  propose(m, nextM);
  propose(v, nextV);
  const denom = nextV.div(corrections.second).sqrt().add(eps);
  return p.sub(nextM.div(corrections.first).div(denom).mul(lr));
}

function rmsprop(o: RmspropOptions, p: Tensor, g: Tensor, lr: Tensor, moment: MomentOf, propose: Propose): Tensor {
  const alpha = o.alpha ?? 0.99;
  const eps = o.eps ?? 1e-8;
  const mu = o.momentum ?? 0;
  const v = moment('square');
  const nextV = v.mul(alpha).add(g.square().mul(1 - alpha));
  propose(v, nextV);
  let variance = nextV;
  if (o.centered) {
    const mean = moment('mean');
    const nextMean = mean.mul(alpha).add(g.mul(1 - alpha));
    propose(mean, nextMean);
    variance = nextV.sub(nextMean.square());
  }
  const scaled = g.div(variance.sqrt().add(eps));
  if (mu === 0) return p.sub(scaled.mul(lr));
  const buf = moment('momentum');
  const nextBuf = buf.mul(mu).add(scaled);
  propose(buf, nextBuf);
  return p.sub(nextBuf.mul(lr));
}

/** Hyperparameters outside their formula's domain are a UsageError at compile time, not NaNs later. */
function checkOptimizer(optimizer: Optimizer): void {
  const o = optimizer.options;
  const where = `${optimizer.kind} optimizer`;
  const check = (value: number | undefined, name: string, ok: (v: number) => boolean, domain: string) => {
    if (value !== undefined && !ok(value)) throw new UsageError(`${where}: ${name} is ${value}; it must be ${domain}`);
  };
  const unit = (v: number) => v >= 0 && v < 1;
  const nonNegative = (v: number) => v >= 0 && Number.isFinite(v);
  if (typeof o.lr === 'number') check(o.lr, 'lr', Number.isFinite, 'finite');
  check(o.l1, 'l1', nonNegative, 'finite and ≥ 0');
  check(o.l2, 'l2', nonNegative, 'finite and ≥ 0');
  check(o.weightDecay, 'weightDecay', nonNegative, 'finite and ≥ 0');
  check(o.clipNorm, 'clipNorm', (v) => v > 0 && Number.isFinite(v), 'finite and > 0');
  switch (optimizer.kind) {
    case 'sgd':
      return check(optimizer.options.momentum, 'momentum', nonNegative, 'finite and ≥ 0');
    case 'adam':
    case 'adamw':
      check(optimizer.options.beta1, 'beta1', unit, 'in [0, 1)');
      check(optimizer.options.beta2, 'beta2', unit, 'in [0, 1)');
      return check(optimizer.options.eps, 'eps', nonNegative, 'finite and ≥ 0');
    case 'rmsprop':
      check(optimizer.options.alpha, 'alpha', (v) => v >= 0 && v <= 1, 'in [0, 1]');
      check(optimizer.options.momentum, 'momentum', nonNegative, 'finite and ≥ 0');
      return check(optimizer.options.eps, 'eps', nonNegative, 'finite and ≥ 0');
    default:
      return optimizer satisfies never;
  }
}
