import { describe, expect, it } from 'vitest';
import { compileWithReport } from '../../compiler/compile.js';
import type { Graph, HostTensor } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

function kernels(graph: Graph, fusion = true): string[][] {
  return compileWithReport(graph, { fusion }).report.groups.map((g) => g.nodes.map((n) => n.op));
}

async function sameOnGpuAsReference(graph: Graph, inputs: Record<string, HostTensor>): Promise<void> {
  const expected = interpret(graph, inputs).outputs;
  for (const fusion of [true, false]) {
    const actual = await runOnGpu(graph, inputs, { fusion });
    for (const k of Object.keys(expected)) expectClose(actual[k], expected[k], { rtol: 1e-4, atol: 1e-5 }, `${k} (fusion ${fusion})`);
  }
}

describe('fusion by category', () => {
  it('Gemm + bias + ReLU is one kernel', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [5, 17]);
    const w = b.constant(randomTensor('f32', [17, 9], 1));
    const bias = b.constant(randomTensor('f32', [9], 2));
    b.output(b.op('relu', [b.op('add', [b.op('matmul', [x, w]), bias])]), 'y');
    expect(kernels(b.graph)).toEqual([['matmul', 'add', 'relu']]);
    expect(kernels(b.graph, false)).toHaveLength(3);
    await sameOnGpuAsReference(b.graph, { x: randomTensor('f32', [5, 17], 3) });
  });

  it('GELU after MatMul + bias lands in the matmul epilogue', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4, 8]);
    const w = b.constant(randomTensor('f32', [8, 8], 1));
    const bias = b.constant(randomTensor('f32', [8], 2));
    b.output(b.op('gelu', [b.op('add', [b.op('matmul', [x, w]), bias])]), 'y');
    expect(kernels(b.graph)).toEqual([['matmul', 'add', 'gelu']]);
  });

  it('layout ops become index arithmetic in their consumer', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [6, 4]);
    const t = b.op('transpose', [x], { perm: [1, 0] });
    const r = b.op('reshape', [t], { shape: [2, 12] });
    b.output(b.op('exp', [r]), 'y');
    expect(kernels(b.graph)).toEqual([['transpose', 'reshape', 'exp']]);
    await sameOnGpuAsReference(b.graph, { x: randomTensor('f32', [6, 4], 4) });
  });

  it('a reduction does not inline where it would be recomputed per broadcast element', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [3, 17]);
    const m = b.op('reduceMax', [x], { axes: [1], keepdims: true });
    b.output(b.op('sub', [x, m]), 'y');
    expect(kernels(b.graph)).toEqual([['reduceMax'], ['sub']]);
    await sameOnGpuAsReference(b.graph, { x: randomTensor('f32', [3, 17], 5) });
  });

  it('a value with two consumers is materialized once', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [8]);
    const e = b.op('exp', [x]);
    b.output(b.op('add', [b.op('sin', [e]), b.op('cos', [e])]), 'y');
    expect(kernels(b.graph)).toEqual([['exp'], ['sin', 'cos', 'add']]);
  });

  it('at most one anchor per kernel', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [4, 4]);
    const mm = b.op('matmul', [x, x]);
    b.output(b.op('matmul', [b.op('relu', [mm]), x]), 'y');
    const groups = kernels(b.graph);
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(g.filter((op) => op === 'matmul')).toHaveLength(1);
  });
});

describe('fusion within the device limits', () => {
  it('a fused kernel never binds more storage buffers than the device allows', async () => {
    const b = new GraphBuilder();
    const xs = [...Array(12).keys()].map((i) => b.input(`x${i}`, 'f32', [33]));
    let acc = xs[0];
    for (const x of xs.slice(1)) acc = b.op('add', [acc, x]);
    b.output(acc, 'y');
    const { plan } = compileWithReport(b.graph, { limits: { maxStorageBuffersPerShaderStage: 8 } });
    expect(plan.steps.length).toBeGreaterThan(1);
    for (const k of plan.kernels) expect(k.bindingCount).toBeLessThanOrEqual(8);
    const inputs = Object.fromEntries(xs.map((x, i) => [x.name, randomTensor('f32', [33], i)]));
    await sameOnGpuAsReference(b.graph, inputs);
  });
});
