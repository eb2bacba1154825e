import { describe, expect, it } from 'vitest';
import { compileParallelTraining } from '../../compiler/parallel/index.js';
import { optim } from '../../compiler/optim/index.js';
import { UsageError } from '../../ir/index.js';
import { mlpSpec } from './fixtures.js';

/** What `fit(..., { devices, strategy })` compiles, and the options it refuses (no device needed). */
describe('parallel strategies', () => {
  it('data, pipeline, and replicas × stages', () => {
    const data = compileParallelTraining(mlpSpec(1), { devices: 3 });
    expect(data.format).toBe('dawnflow-data-parallel');
    expect(data.devices).toBe(3);
    const pipeline = compileParallelTraining(mlpSpec(1), { devices: 2, strategy: 'pipeline', microBatches: 3 });
    expect(pipeline.format === 'dawnflow-pipeline' && [pipeline.replicas, pipeline.stages.length, pipeline.microBatch]).toEqual([1, 2, 8]);
    const both = compileParallelTraining(mlpSpec(1), { devices: 4, strategy: { data: 2, pipeline: 2 }, microBatches: 2 });
    expect(both.format === 'dawnflow-pipeline' && [both.replicas, both.stages.length, both.microBatch, both.devices]).toEqual([2, 2, 6, 4]);
    // Every stage has the gradient inputs the replicas' averaged gradients go to.
    expect(both.format === 'dawnflow-pipeline' && both.stages.every((s) => s.gradientInputs.length === s.parameters.length)).toBe(true);
  });

  it('refuses a strategy that does not add up, and what a pipeline cannot do', () => {
    expect(() => compileParallelTraining(mlpSpec(1), { devices: 3, strategy: { data: 2, pipeline: 2 } })).toThrow(new UsageError('strategy { data: 2, pipeline: 2 } needs 4 devices, not 3'));
    expect(() => compileParallelTraining(mlpSpec(1), { devices: 0 })).toThrow(UsageError);
    expect(() => compileParallelTraining(mlpSpec(1, { optimizer: optim.adam({ lr: 0.01, clipNorm: 1 }) }), { devices: 2, strategy: 'pipeline' })).toThrow(/clipNorm and skipNonFinite need the global gradient norm/);
    expect(() => compileParallelTraining(mlpSpec(1), { devices: 2, strategy: 'pipeline', schedule: 'zigzag' as never })).toThrow("pipeline schedule 'zigzag' is not 'gpipe' or '1f1b'");
  });
});
