import { describe, expect, it } from 'vitest';
import { hostTensor, UsageError } from '../../ir/index.js';
import { Trace } from '../../compiler/dsl/index.js';
import type { Schedule } from '../../compiler/optim/index.js';
import { learningRate, schedules } from '../../compiler/optim/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { thrown } from '../helpers/errors.js';
import { runOnGpu } from '../helpers/gpu.js';
import type { Schedule as TextbookSchedule } from './textbook.js';
import { scheduledRate } from './textbook.js';

/**
 * Each learning-rate schedule evaluated by the step graph (GPU and reference interpreter) for
 * many steps at once, against its formula in float64 (test/optim/textbook.ts).
 */
const ULP = 2 ** -24;

function stepsUpTo(last: number, count: number): number[] {
  const steps = new Set<number>();
  for (let t = 0; t < Math.min(count, last); t++) steps.add(t);
  for (let k = 0; k < count; k++) steps.add(Math.round((k / (count - 1)) * last));
  for (let t = Math.max(0, last - 50); t <= last + 5; t++) steps.add(t);
  return [...steps].sort((a, b) => a - b);
}

const CASES: readonly [string, Schedule, TextbookSchedule, number][] = [
  ['constant', schedules.constant(0.003), { kind: 'constant', lr: 0.003 }, 1000],
  ['step decay', schedules.step(0.1, 3, 0.5), { kind: 'step', lr: 0.1, stepSize: 3, gamma: 0.5 }, 400],
  ['step decay by 0.9 every 25', schedules.step(0.1, 25, 0.9), { kind: 'step', lr: 0.1, stepSize: 25, gamma: 0.9 }, 100_000],
  ['exponential', schedules.exponential(0.1, 0.96, 1), { kind: 'exponential', lr: 0.1, gamma: 0.96, every: 1 }, 3000],
  ['exponential, halving every 1000', schedules.exponential(0.01, 0.5, 1000), { kind: 'exponential', lr: 0.01, gamma: 0.5, every: 1000 }, 200_000],
  ['cosine to 0', schedules.cosine(0.1, 100), { kind: 'cosine', lr: 0.1, totalSteps: 100, minLr: 0 }, 100],
  ['cosine to a floor', schedules.cosine(0.02, 1000, 0.001), { kind: 'cosine', lr: 0.02, totalSteps: 1000, minLr: 0.001 }, 1000],
  ['long cosine', schedules.cosine(0.001, 1_000_000), { kind: 'cosine', lr: 0.001, totalSteps: 1_000_000, minLr: 0 }, 1_000_000],
  ['warm-up into a constant', schedules.warmup(3, 0.3), { kind: 'warmup', warmupSteps: 3, then: { kind: 'constant', lr: 0.3 } }, 100],
  [
    'warm-up into cosine',
    schedules.warmup(500, schedules.cosine(0.01, 20_000)),
    { kind: 'warmup', warmupSteps: 500, then: { kind: 'cosine', lr: 0.01, totalSteps: 20_000, minLr: 0 } },
    20_000,
  ],
];

describe('learning-rate schedules against float64', () => {
  it.each(CASES)('%s: within 5 ulp on the GPU and in the reference, every step (3.8 measured)', async (_name, schedule, textbook, last) => {
    const steps = stepsUpTo(last, 2000);
    const trace = new Trace('schedule');
    trace.output(learningRate(schedule, trace.input('t', 'u32', [steps.length])), 'lr');
    const feeds = { t: hostTensor('u32', [steps.length], steps) };
    const outputs = { GPU: (await runOnGpu(trace.graph, feeds)).lr, reference: interpret(trace.graph, feeds).outputs.lr };
    for (const [who, out] of Object.entries(outputs)) {
      steps.forEach((t, i) => {
        const exact = scheduledRate(textbook, t);
        const got = Number(out.data[i]);
        // Below float32's normal range a device may flush to 0.
        const ulps = exact < 2 ** -126 ? (Math.abs(got - exact) <= 2 ** -126 ? 0 : Infinity) : Math.abs(got - exact) / exact / ULP;
        if (!(ulps <= 5)) expect.fail(`${who} at step ${t}: ${got}, float64 ${exact} (${ulps.toFixed(2)} ulp)`);
      });
    }
  });

  it('a cosine schedule reaches its floor exactly and stays there', async () => {
    const trace = new Trace('schedule');
    trace.output(learningRate(schedules.cosine(0.1, 10, 0.002), trace.input('t', 'u32', [3])), 'lr');
    const lr = (await runOnGpu(trace.graph, { t: hostTensor('u32', [3], [10, 11, 4_000_000_000]) })).lr;
    expect([...lr.data]).toEqual([Math.fround(0.002), Math.fround(0.002), Math.fround(0.002)]);
  });
});

describe('schedules outside their domain', () => {
  it.each([
    ['step size 0', schedules.step(0.1, 0), /step schedule: stepSize is 0/],
    ['fractional step size', schedules.step(0.1, 2.5), /stepSize is 2.5/],
    ['negative decay', schedules.exponential(0.1, -0.5), /exponential schedule: gamma is -0.5/],
    ['no cosine length', schedules.cosine(0.1, 0), /cosine schedule: totalSteps is 0/],
    ['an infinite rate', schedules.constant(Infinity), /constant schedule: lr is Infinity/],
    ['a warm-up of no steps', schedules.warmup(0, 0.1), /warmup schedule: warmupSteps is 0/],
  ] as const)('%s is a UsageError naming it', async (_name, schedule, message) => {
    const trace = new Trace('bad');
    const error = await thrown(() => learningRate(schedule, trace.input('t', 'u32', [])));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
  });
});
