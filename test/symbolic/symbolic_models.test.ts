import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { specialize } from '../../compiler/passes/specialize.js';
import type { Graph, HostTensor, Plan } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { Executable, getDefaultDevice, shaderModuleCount } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { cachedAttentionStep, symbolicCnn, symbolicMlp, symbolicTransformer } from './models.js';

/**
 * One plan per model, compiled with its dims symbolic, run on the real adapter at several sizes
 * (1, a prime, a large one) against the reference interpreter on the graph specialized to each
 * size. No shader module is created after the plan's load: every size reuses its pipelines.
 */

let device: DawnDevice;
beforeAll(async () => {
  device = await getDefaultDevice();
});

interface Case {
  readonly dims: Readonly<Record<string, number>>;
  readonly inputs: Record<string, HostTensor>;
}

async function runAtSizes(graph: Graph, cases: readonly Case[], tol = { rtol: 2e-4, atol: 2e-5 }): Promise<{ plan: Plan; modulesAfterLoad: number[] }> {
  const plan = compile(graph, { limits: device.limits });
  expect(plan.symbolic, 'the plan keeps its dims symbolic').toBeDefined();
  const exe = await Executable.load(plan, device);
  const modulesAfterLoad: number[] = [];
  const loaded = shaderModuleCount();
  try {
    for (const c of cases) {
      const out = await exe.run(c.inputs);
      const expected = interpret(specialize(graph, new Map(Object.entries(c.dims))), c.inputs).outputs;
      for (const [name, tensor] of Object.entries(expected)) expectClose(out[name], tensor, tol, `${graph.name} at ${JSON.stringify(c.dims)}: ${name}`);
      modulesAfterLoad.push(shaderModuleCount() - loaded);
    }
    expect(exe.shaderModules).toBe(plan.kernels.length);
    expect(exe.bindingsMade).toBeGreaterThanOrEqual(new Set(cases.map((c) => JSON.stringify(c.dims))).size);
  } finally {
    exe.dispose();
  }
  return { plan, modulesAfterLoad };
}

describe('one plan for every size', () => {
  it('an MLP with a symbolic batch: N = 1, 7, 1000 (and 7 again)', async () => {
    const graph = symbolicMlp('N');
    const cases = [1, 7, 1000, 7].map((n, i) => ({ dims: { N: n }, inputs: { x: randomTensor('f32', [n, 24], 10 + i) } }));
    const { plan, modulesAfterLoad } = await runAtSizes(graph, cases);
    expect(plan.tensors[plan.inputs[0].tensor].shape).toEqual(['N', 24]);
    expect(modulesAfterLoad).toEqual([0, 0, 0, 0]);
  });

  it('a CNN with symbolic H and W: 1×1, 13×7, 40×36', async () => {
    const graph = symbolicCnn('H', 'W');
    const sizes = [
      [1, 1],
      [13, 7],
      [40, 36],
    ];
    const cases = sizes.map(([h, w], i) => ({ dims: { H: h, W: w }, inputs: { image: randomTensor('f32', [2, 3, h, w], 20 + i) } }));
    const { plan, modulesAfterLoad } = await runAtSizes(graph, cases);
    expect(Object.keys(plan.symbolic!.dims)).toEqual(['H', 'W']);
    expect(modulesAfterLoad).toEqual([0, 0, 0]);
  });

  it('a transformer block with a symbolic sequence length: S = 1, 13, 96', async () => {
    const graph = symbolicTransformer('S');
    const cases = [1, 13, 96].map((s, i) => ({ dims: { S: s }, inputs: { x: randomTensor('f32', [s, 32], 30 + i) } }));
    const { modulesAfterLoad } = await runAtSizes(graph, cases, { rtol: 5e-4, atol: 5e-5 });
    expect(modulesAfterLoad).toEqual([0, 0, 0]);
  });

  it('a decoding step over a KV cache of symbolic length: T = 1, 11, 200, present has T+1 rows', async () => {
    const graph = cachedAttentionStep();
    const cases = [1, 11, 200].map((t, i) => ({
      dims: { T: t },
      inputs: { x: randomTensor('f32', [1, 16], 40 + i), past_key: randomTensor('f32', [1, 2, t, 8], 50 + i), past_value: randomTensor('f32', [1, 2, t, 8], 60 + i) },
    }));
    const { plan, modulesAfterLoad } = await runAtSizes(graph, cases);
    expect(plan.tensors[plan.outputs.find((o) => o.name === 'present_key')!.tensor].shape).toEqual([1, 2, 'T+1', 8]);
    expect(modulesAfterLoad).toEqual([0, 0, 0]);
  });
});
