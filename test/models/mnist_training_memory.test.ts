import { describe, expect, it } from 'vitest';
import { compileWithReport } from '../../compiler/compile.js';
import { buildTrainingGraph } from '../../compiler/train/compile_training.js';
import { mnistCnn } from '../../examples/mnist_models.js';
import { crossEntropy, optim } from '../../index.js';

/** The MNIST CNN's whole training step (forward, loss, backward, Adam) through the planner. */
describe('MNIST CNN training step', () => {
  it('arena ≤ 1.10 × lower bound and ≤ 0.5 × naive; Adam updates fuse into one kernel per parameter', () => {
    // The example's CNN without its dropout layer.
    const model = mnistCnn(0);
    const { graph } = buildTrainingGraph({
      model,
      input: { shape: [1, 28, 28] },
      target: { shape: [], dtype: 'i32' },
      loss: crossEntropy,
      optimizer: optim.adam({ lr: 1e-3 }),
      batchSize: 128,
    });
    const { plan, report } = compileWithReport(graph);
    const unfused = compileWithReport(graph, { fusion: false }).plan.steps.length;
    const m = plan.memory;
    console.log(`MNIST CNN training step: ${plan.steps.length} kernels (${unfused} unfused); naive ${m.naiveBytes} B, arena ${m.arenaBytes} B, lower bound ${m.lowerBoundBytes} B; ${plan.stateUpdates.length} state copies`);
    expect(m.arenaBytes).toBeLessThanOrEqual(1.1 * m.lowerBoundBytes);
    expect(m.arenaBytes).toBeLessThanOrEqual(0.5 * m.naiveBytes);
    expect(plan.steps.length).toBeLessThan(unfused);
    // Each parameter's Adam update (moments and the parameter) is computed by a single kernel.
    const params = model.parameters().filter((p) => p.trainable).map((p) => p.name);
    for (const name of params) {
      const writers = report.groups.filter((g) => g.outputs.some((v) => [...graph.stateUpdates].some(([s, next]) => s.name === name && next === v)));
      expect(writers.length, name).toBeLessThanOrEqual(1);
    }
  });
});
