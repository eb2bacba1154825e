import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor, Value } from '../../ir/index.js';
import { hostTensor } from '../../ir/index.js';
import { buildEvalGraph, buildTrainingGraph, compileTraining } from '../../compiler/train/index.js';
import { specialize } from '../../compiler/passes/specialize.js';
import { getDefaultDevice, shaderModuleCount } from '../../runtime/index.js';
import { ArrayDataset, Trainer } from '../../runtime/training/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { classifierSpec, FEATURES, teacherData } from './fixtures.js';

/**
 * The training step with the batch as a symbol: both plans compiled once (train and eval), the
 * step run at batches of 16, 7 (a prime) and 1, each step equal to the reference interpreter's
 * step on the graph specialized to that batch; evaluation runs its short last batch as it is.
 */

const trainers: Trainer[] = [];
afterAll(() => trainers.forEach((t) => t.dispose()));

const data = teacherData(61, 3);

describe('a training step with a symbolic batch', () => {
  it('compiles once and steps at batch sizes 16, 7 and 1, matching the reference step by step', async () => {
    const spec = { ...classifierSpec(11), batchDim: 'batch' };
    const program = compileTraining({ ...spec, limits: (await getDefaultDevice()).limits });
    expect(program.batchDim).toBe('batch');
    expect(program.train.tensors[program.train.inputs[0].tensor].shape).toEqual(['batch', FEATURES]);
    expect(Object.keys(program.train.symbolic!.dims)).toEqual(['batch']);
    const trainer = await Trainer.load(program, await getDefaultDevice());
    trainers.push(trainer);

    const { graph } = buildTrainingGraph(spec);
    // States by name: each specialized graph has values of its own.
    let states: Map<string, HostTensor> | undefined;
    let start = 0;
    const modules = shaderModuleCount();
    for (const rows of [16, 7, 1, 7]) {
      const x = data.x.subarray(start * FEATURES, (start + rows) * FEATURES);
      const y = data.y.subarray(start, start + rows);
      start += rows;
      const step = specialize(graph, new Map([['batch', rows]]));
      const before = states && new Map([...step.states.keys()].map((v) => [v, states!.get(v.name)!] as const));
      const reference = interpret(step, { x: hostTensor('f32', [rows, FEATURES], x), y: hostTensor('i32', [rows], y) }, before ? { states: before } : {});
      states = new Map([...(reference.states as Map<Value, HostTensor>)].map(([v, t]) => [v.name, t] as const));
      const loss = await trainer.step(x, y).loss();
      expect(loss, `loss at batch ${rows}`).toBeCloseTo(Number(reference.outputs.loss.data[0]), 4);
    }
    expect(shaderModuleCount() - modules, 'no shader module after load').toBe(0);
    const gpu = await trainer.snapshot();
    for (const [name, t] of states!) expectClose(gpu[name], t, { rtol: 2e-4, atol: 2e-5 }, name);
  });

  it('evaluates 61 examples in batches of 24, the last one of 13 rows as it is', async () => {
    const spec = { ...classifierSpec(2), batchDim: 'batch' };
    const trainer = await Trainer.load(compileTraining({ ...spec, limits: (await getDefaultDevice()).limits }), await getDefaultDevice());
    trainers.push(trainer);
    await trainer.fit(new ArrayDataset(data.x, data.y, [FEATURES]), { epochs: 1, progress: 'none' });
    const params = await trainer.parameters();
    const evaluation = await trainer.evaluate(new ArrayDataset(data.x, data.y, [FEATURES]));
    const graph = specialize(buildEvalGraph(spec), new Map([['batch', 61]]));
    const stateValues = new Map([...graph.states.keys()].map((v) => [v, params[v.name]] as const));
    const ref = interpret(graph, { x: hostTensor('f32', [61, FEATURES], data.x), y: hostTensor('i32', [61], data.y) }, { states: stateValues }).outputs;
    const meanLoss = [...ref.loss.data].reduce((a, v) => a + Number(v), 0) / 61;
    expect(evaluation.loss).toBeCloseTo(meanLoss, 5);
    const prediction = await trainer.predict(data.x, 61);
    expectClose(prediction, ref.prediction, { rtol: 1e-4, atol: 1e-5 }, 'prediction');
  });
});
