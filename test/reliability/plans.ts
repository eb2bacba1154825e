import { compile } from '../../compiler/compile.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import type { Plan } from '../../runtime/index.js';
import { getDefaultDevice } from '../../runtime/index.js';

/**
 * Small compiled plans for the reliability tests, each with an oracle simple enough to compute
 * exactly in plain JS.
 */

async function compiled(b: GraphBuilder): Promise<Plan> {
  const device = await getDefaultDevice();
  return compile(b.graph, { limits: device.limits });
}

/** out = x + w, with w a constant 0, 1, 2, ... (so a lost constant shows). */
export async function addConstantPlan(n: number): Promise<Plan> {
  const b = new GraphBuilder('add_constant');
  const x = b.input('x', 'f32', [n]);
  const w = b.constant(hostTensor('f32', [n], Array.from({ length: n }, (_, i) => i)), 'w');
  b.output(b.op('add', [x, w]), 'out');
  return compiled(b);
}

/**
 * A training-like loop in integers, so every value is exact: acc ← acc * 3 + x (i32, wraps
 * like Math.imul), steps ← steps + 1 (f32). Outputs the new values. Any lost, repeated or
 * reordered step changes the result.
 */
export async function accumulatorPlan(n: number): Promise<Plan> {
  const b = new GraphBuilder('accumulator');
  const x = b.input('x', 'i32', [n]);
  const acc = b.state('acc', hostTensor('i32', [n], Array.from({ length: n }, (_, i) => i + 1)));
  const steps = b.state('steps', hostTensor('f32', [1], [0]));
  const three = b.constant(hostTensor('i32', [1], [3]), 'three');
  const one = b.constant(hostTensor('f32', [1], [1]), 'one');
  const nextAcc = b.op('add', [b.op('mul', [acc, three]), x], {}, 'next_acc');
  const nextSteps = b.op('add', [steps, one], {}, 'next_steps');
  b.updateState(acc, nextAcc);
  b.updateState(steps, nextSteps);
  b.output(nextAcc, 'acc_out');
  b.output(nextSteps, 'steps_out');
  return compiled(b);
}

/** The accumulator's states after applying `xs` in order to `acc` (steps counts them). */
export function accumulate(acc: Int32Array, xs: readonly Int32Array[]): Int32Array {
  const out = Int32Array.from(acc);
  for (const x of xs) for (let i = 0; i < out.length; i++) out[i] = (Math.imul(out[i], 3) + x[i]) | 0;
  return out;
}

export function initialAcc(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * Momentum SGD on a quadratic, in f32: g = w - x, m ← 0.9 m + g, w ← w - lr m; outputs the
 * loss sum((w - x)^2) before the step. Floats, for the numeric guard and bit-for-bit resumes.
 */
export async function momentumPlan(n: number, lr = 0.1): Promise<Plan> {
  const b = new GraphBuilder('momentum');
  const x = b.input('x', 'f32', [n]);
  const w = b.state('w', hostTensor('f32', [n], Array.from({ length: n }, (_, i) => Math.sin(i + 1))));
  const m = b.state('m', hostTensor('f32', [n]));
  const scalar = (v: number, name: string) => b.constant(hostTensor('f32', [1], [v]), name);
  const g = b.op('sub', [w, x], {}, 'g');
  const nextM = b.op('add', [b.op('mul', [m, scalar(0.9, 'beta')]), g], {}, 'next_m');
  const nextW = b.op('sub', [w, b.op('mul', [nextM, scalar(lr, 'lr')])], {}, 'next_w');
  b.updateState(w, nextW);
  b.updateState(m, nextM);
  b.output(b.op('reduceSum', [b.op('mul', [g, g])], { axes: [], keepdims: false }, 'loss'), 'loss');
  return compiled(b);
}

/** Deterministic inputs for step `step` of a loop. */
export function stepInput(n: number, step: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => ((step * 7919 + i * 104729) % 2001) - 1000);
}

export function floatStepInput(n: number, step: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.cos(step * 1.3 + i * 0.7));
}
