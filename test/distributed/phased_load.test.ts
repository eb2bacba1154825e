import { describe, expect, it } from 'vitest';
import { PHASED_PLAN_FORMAT, type PhasedPlan } from '../../ir/phased_plan.js';
import { asStaticPlan } from '../../ir/plan_binding.js';
import { ArtifactError, getDefaultDevice, OutOfMemoryError, PhasedExecutable } from '../../runtime/index.js';
import { thrown } from '../helpers/errors.js';
import { failAllocationsAbove } from '../helpers/failing_allocations.js';
import { binaryKernel, grid, HandPlan, seeded } from '../runtime/hand_plan.js';

/**
 * PhasedExecutable.load allocates through the same path as Executable.load (allocatePlan): a
 * failed allocation is an OutOfMemoryError naming the phased plan, and nothing stays allocated.
 */

/** One phase, out = a + b over n floats (an arena of 3n words), with a constant and a state beside it. */
function addPhased(n: number, name: string, options: { constantData?: boolean } = {}): PhasedPlan {
  const p = new HandPlan();
  const a = p.tensor('a', 'f32', [n]);
  const b = p.tensor('b', 'f32', [n]);
  const out = p.tensor('out', 'f32', [n]);
  p.constant(p.tensor('bias', 'f32', [4], 'constants'), options.constantData === false ? undefined : new Float32Array([1, 2, 3, 4]));
  p.state(p.tensor('count', 'f32', [4], 'states'), new Float32Array([5, 6, 7, 8]));
  p.step(p.kernel('add_f32', binaryKernel('f32', '+'), 3), [a, b, out], grid(n), 'a + b');
  const plan = asStaticPlan(p.build(name));
  const phase = { name: 'forward', firstStep: 0, endStep: 1, inputs: [{ name: 'a', tensor: a }, { name: 'b', tensor: b }], outputs: [{ name: 'out', tensor: out }], stateUpdates: [], arenaBytes: plan.regionBytes.arena };
  return { format: PHASED_PLAN_FORMAT, version: 1, name, plan, phases: [phase] };
}

const N = 1 << 18;

describe('PhasedExecutable.load', () => {
  it('runs a phase, with the initial constants and states uploaded (the plan the failures below use)', async () => {
    const dev = await getDefaultDevice();
    const exe = await PhasedExecutable.load(addPhased(N, 'fits'), dev);
    const a = seeded(N, 1);
    const b = seeded(N, 2);
    const { out } = await exe.submit('forward', { a, b }, { outputs: ['out'] }).final.read();
    for (const i of [0, 1, N >> 1, N - 1]) expect(out.data[i]).toBe(Math.fround(a[i] + b[i]));
    expect(Array.from((await exe.readStates()).count.data)).toEqual([5, 6, 7, 8]);
    await exe.close();
  });

  it('reports regions the device cannot allocate as one OUT_OF_MEMORY line naming the phased plan, with nothing left allocated', async () => {
    const dev = await getDefaultDevice();
    const phased = addPhased(N, 'too_big');
    // The arena (3 MiB) fails; the constants and states (a few words each) still fit.
    const maxBytes = phased.plan.regionBytes.arena / 2;
    expect(Math.max(phased.plan.regionBytes.constants, phased.plan.regionBytes.states)).toBeLessThan(maxBytes);
    const before = dev.allocatedBytes;
    const uncaught = dev.errorCount;
    const restore = failAllocationsAbove(dev, maxBytes);
    let error: Error;
    try {
      error = await thrown(() => PhasedExecutable.load(phased, dev));
    } finally {
      restore();
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as OutOfMemoryError).code).toBe('OUT_OF_MEMORY');
    expect(error.message).toMatch(/^phased plan 'too_big': allocating \d+ bytes of regions failed: Out of memory: allocating \d+ bytes failed/);
    expect(error.message).not.toContain('\n');
    expect(dev.allocatedBytes).toBe(before);
    // Caught by the load's error scope, not left for some later run to report.
    expect(dev.errorCount).toBe(uncaught);

    // The device is fine for a plan that fits.
    const exe = await PhasedExecutable.load(addPhased(N, 'after'), dev);
    expect(dev.allocatedBytes).toBeGreaterThan(before);
    exe.dispose();
    expect(dev.allocatedBytes).toBe(before);
  });

  it('refuses a constant without data as an ArtifactError, like Executable (it would otherwise be silently zero)', async () => {
    const dev = await getDefaultDevice();
    const before = dev.allocatedBytes;
    const error = await thrown(() => PhasedExecutable.load(addPhased(64, 'no_weights', { constantData: false }), dev));
    expect(error).toBeInstanceOf(ArtifactError);
    expect(error.message).toBe("phased plan 'no_weights', constant 'bias' has no data (were the weights loaded?)");
    expect(dev.allocatedBytes).toBe(before);
  });
});
