import { describe, expect, it } from 'vitest';
import { compileWithReport } from '../../compiler/compile.js';
import { formatBytes, parseByteSize } from '../../compiler/remat/byte_size.js';
import { RECOMPUTE_SUFFIX } from '../../compiler/remat/recompute.js';
import { buildTrainingGraph, compileTraining } from '../../compiler/train/index.js';
import type { Plan } from '../../ir/index.js';
import { OutOfMemoryError, UsageError, verifyGraph } from '../../ir/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { Trainer } from '../../runtime/training/index.js';
import spec, { syntheticBatches } from '../../examples/remat.js';
import { thrown } from '../helpers/errors.js';

/**
 * Rematerialization to a memory budget, on the training step of examples/remat.ts: half the
 * unconstrained arena fits, by recomputing kernels that are copies of the originals, and the
 * recomputed plan trains to the same bits; a budget no recomputation can meet is refused with
 * both numbers.
 */

const { graph } = buildTrainingGraph(spec);
const free = compileWithReport(graph);
const budget = Math.floor(free.plan.memory.arenaBytes / 2);
const tight = compileWithReport(graph, { memoryBudget: budget });

/** Each dispatch's pipeline WGSL, by the label of the nodes it computes. */
function kernelsByLabel(plan: Plan): Map<string, string> {
  return new Map(plan.steps.map((s) => [s.label, plan.kernels[s.kernel].wgsl]));
}

describe('rematerialization to a memory budget', () => {
  it('fits half the unconstrained arena by recomputing kernels', () => {
    const m = tight.plan.memory;
    expect(m.arenaBytes).toBeLessThanOrEqual(budget);
    expect(m.recomputedKernels).toBeGreaterThan(0);
    expect(m.recomputedKernels).toBe(tight.report.recomputed.length);
    expect(tight.plan.steps.length).toBe(free.plan.steps.length + m.recomputedKernels!);
    expect(m.lowerBoundBytes).toBeLessThanOrEqual(m.arenaBytes);
    // Unconstrained, nothing is recomputed and the plan says nothing about it.
    expect(free.plan.memory.recomputedKernels).toBeUndefined();
    expect(free.report.recomputed).toEqual([]);
    verifyGraph(tight.report.graph);
  });

  it('recomputes with copies of the original kernels: same nodes, same attributes, same WGSL', () => {
    const originals = new Map(free.report.groups.map((g) => [g.nodes.map((n) => n.name).join(','), g]));
    const wgslBefore = kernelsByLabel(free.plan);
    const wgslAfter = kernelsByLabel(tight.plan);
    let sameWgsl = 0;
    for (const copy of tight.report.recomputed) {
      const names = copy.nodes.map((n) => n.name);
      expect(names.every((n) => n.endsWith(RECOMPUTE_SUFFIX))).toBe(true);
      const original = originals.get(names.map((n) => n.slice(0, -RECOMPUTE_SUFFIX.length)).join(','));
      expect(original, names.join(',')).toBeDefined();
      expect(copy.nodes.map((n) => [n.op, n.attrs])).toEqual(original!.nodes.map((n) => [n.op, n.attrs]));
      expect(copy.anchor?.op ?? null).toBe(original!.anchor?.op ?? null);
      const label = (nodes: typeof copy.nodes) => nodes.map((n) => `${n.op} '${n.name}'`).join(', ');
      if (wgslAfter.get(label(copy.nodes)) === wgslBefore.get(label(original!.nodes))) sameWgsl++;
    }
    // Every copy runs the very pipeline of its original (an in-place write could change a
    // copy's bindings, not its arithmetic; none does here).
    expect(sameWgsl).toBe(tight.report.recomputed.length);
  });

  it('leaves a plan that already fits as it is', () => {
    const roomy = compileWithReport(graph, { memoryBudget: free.plan.memory.arenaBytes });
    expect(roomy.plan.memory.recomputedKernels).toBe(0);
    const { memory: _a, ...planA } = roomy.plan;
    const { memory: _b, ...planB } = free.plan;
    expect(JSON.stringify(planA)).toBe(JSON.stringify(planB));
  });

  it('refuses a budget below what recomputation reaches, with both numbers', async () => {
    const error = await thrown(() => compileWithReport(graph, { memoryBudget: 4096 }));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const message = error.message;
    expect(message).toContain(formatBytes(4096));
    const smallest = /arena still needs (\d+) bytes/.exec(message);
    expect(smallest).not.toBeNull();
    // The smallest arena named is what recomputation really reaches: above the budget, below the unconstrained one.
    expect(Number(smallest![1])).toBeGreaterThan(4096);
    expect(Number(smallest![1])).toBeLessThanOrEqual(budget);
    expect(message).toContain(`${free.plan.memory.arenaBytes} bytes`);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('rejects a budget that is not a byte count', async () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(await thrown(() => compileWithReport(graph, { memoryBudget: bad }))).toBeInstanceOf(UsageError);
  });

  it('trains 20 steps to losses and parameters bit-identical to the unconstrained plan', async () => {
    const device = await getDefaultDevice();
    const programs = [compileTraining({ ...spec, limits: device.limits }), compileTraining({ ...spec, limits: device.limits }, { memoryBudget: budget })];
    expect(programs[1].train.memory.arenaBytes).toBeLessThanOrEqual(budget);
    expect(programs[1].train.memory.recomputedKernels).toBeGreaterThan(0);
    const batches = syntheticBatches(20);
    const runs: { losses: number[]; parameters: Record<string, Uint32Array> }[] = [];
    for (const program of programs) {
      const trainer = await Trainer.load(program, device);
      try {
        const steps = batches.map(({ x, y }) => trainer.step(x, y));
        const losses = await Promise.all(steps.map((s) => s.loss()));
        const parameters = Object.fromEntries(Object.entries(await trainer.parameters()).map(([name, t]) => [name, new Uint32Array(Float32Array.from(t.data).buffer)]));
        runs.push({ losses, parameters });
      } finally {
        trainer.dispose();
      }
    }
    const [a, b] = runs;
    expect(a.losses.every(Number.isFinite)).toBe(true);
    expect(new Set(a.losses).size).toBeGreaterThan(1);
    expect(b.losses.map((l, i) => Object.is(l, a.losses[i]))).toEqual(a.losses.map(() => true));
    for (const name of Object.keys(a.parameters)) expect(b.parameters[name], name).toEqual(a.parameters[name]);
  }, 300_000);
});

describe('byte sizes', () => {
  it('reads bytes, KiB, MiB and GiB, and refuses anything else', async () => {
    expect([parseByteSize('4096'), parseByteSize('96KiB'), parseByteSize('1.5 MiB'), parseByteSize('2GiB'), parseByteSize('3kb')]).toEqual([4096, 96 * 1024, 1.5 * 1024 ** 2, 2 * 1024 ** 3, 3000]);
    for (const bad of ['', 'lots', '-5', '12 parsecs', '1e3']) expect(await thrown(() => parseByteSize(bad, '--memory-budget'))).toBeInstanceOf(UsageError);
    expect(formatBytes(786432)).toBe('786432 bytes (768.0 KiB)');
  });
});
