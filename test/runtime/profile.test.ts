import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { acquireDevice, Executable, getDefaultDevice } from '../../runtime/index.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

/**
 * Per-step device time from timestamp queries (`Executable.profile`). An adapter without
 * timestamp queries fails the timing test under CI=true; elsewhere it skips, saying why. The
 * refusal runs on every adapter, on a device made without the feature.
 */
const model = () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'f32', [256, 256]);
  const w = b.constant(randomTensor('f32', [256, 256], 2));
  const h = b.op('relu', [b.op('matmul', [x, w])]);
  b.output(b.op('softmax', [b.op('matmul', [h, w])], { axis: -1 }), 'y');
  return b;
};

describe('Executable.profile', () => {
  it('times every step with work, names it as the plan does, and leaves the results right', async (ctx) => {
    const device = await getDefaultDevice();
    if (!device.features.has('timestamp-query')) {
      if (process.env.CI) expect.fail('the adapter has no timestamp-query feature');
      // Outside CI, an adapter without timestamp queries cannot time steps: say so and stop here.
      ctx.skip('the adapter has no timestamp-query feature');
    }
    const b = model();
    const plan = compile(b.graph, { limits: device.limits });
    const exe = await Executable.load(plan, device);
    try {
      const inputs = { x: randomTensor('f32', [256, 256], 1) };
      const profile = await exe.profile(inputs, 3);
      expect(profile.map((p) => p.step)).toEqual(plan.steps.map((_, i) => i));
      expect(profile.map((p) => p.label)).toEqual(plan.steps.map((s) => s.label));
      expect(profile.map((p) => p.kernel)).toEqual(plan.steps.map((s) => plan.kernels[s.kernel].name));
      // A 256³ matmul takes real time on any adapter; nothing is negative or NaN.
      expect(profile.every((p) => Number.isFinite(p.ms) && p.ms >= 0)).toBe(true);
      expect(Math.max(...profile.map((p) => p.ms))).toBeGreaterThan(0);
      expectClose((await exe.run(inputs)).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-3, atol: 1e-6 });
    } finally {
      exe.dispose();
    }
  });

  it('is refused, naming the feature, on a device without timestamp queries', async () => {
    const device = await acquireDevice({ withoutFeatures: ['timestamp-query'] });
    expect(device.features.has('timestamp-query')).toBe(false);
    const exe = await Executable.load(compile(model().graph, { limits: device.limits }), device);
    try {
      await expect(exe.profile({ x: randomTensor('f32', [256, 256], 1) })).rejects.toThrow(/timestamp-query/);
    } finally {
      exe.dispose();
      device.destroy();
    }
  });

  it('refuses a feature both required and excluded', async () => {
    await expect(acquireDevice({ requiredFeatures: ['timestamp-query'], withoutFeatures: ['timestamp-query'] })).rejects.toThrow("feature 'timestamp-query' is both required and excluded");
  });
});
