import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

/** Per-step device time from timestamp queries (`Executable.profile`). */
describe('Executable.profile', () => {
  it('times every step with work, names it as the plan does, and leaves the results right', async () => {
    const device = await getDefaultDevice();
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [256, 256]);
    const w = b.constant(randomTensor('f32', [256, 256], 2));
    const h = b.op('relu', [b.op('matmul', [x, w])]);
    b.output(b.op('softmax', [b.op('matmul', [h, w])], { axis: -1 }), 'y');
    const plan = compile(b.graph, { limits: device.limits });
    const exe = await Executable.load(plan, device);
    try {
      const inputs = { x: randomTensor('f32', [256, 256], 1) };
      if (!device.features.has('timestamp-query')) {
        await expect(exe.profile(inputs)).rejects.toThrow(/timestamp-query/);
        return;
      }
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
});
