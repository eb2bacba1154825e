import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../compiler/onnx/export.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { nn, Trace } from '../../compiler/dsl/index.js';
import type { Module } from '../../compiler/dsl/index.js';
import type { HostTensor } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { randomTensor } from '../helpers/random.js';

/** DSL models exported to ONNX run in onnxruntime-node with dawnflow's results (and re-import). */
function trace(model: Module, shape: (number | string)[]) {
  model.namedParameters();
  model.initialize(3);
  const t = new Trace('exported', { mode: 'eval', seed: 3 });
  const x = t.input('x', 'f32', shape);
  t.output(model.call(x), 'y');
  return t.graph;
}

async function ortRun(bytes: Uint8Array, x: HostTensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const out = await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
  await session.release();
  return out.y.data as Float32Array;
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected[i]));
}

describe('toOnnx', () => {
  const models: [string, () => Module, (number | string)[], number[]][] = [
    ['an MLP with a symbolic batch', () => new nn.Sequential(new nn.Linear(12, 16), nn.ReLU(), new nn.Linear(16, 5), nn.Softmax()), ['batch', 12], [7, 12]],
    [
      'a CNN with pooling, LayerNorm and GELU',
      () => new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1 }), nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.LayerNorm(64), nn.GELU(), new nn.Linear(64, 3)),
      [2, 2, 8, 8],
      [2, 2, 8, 8],
    ],
  ];
  it.each(models)('%s: onnxruntime-node agrees with the reference interpreter', async (_name, build, shape, concrete) => {
    const graph = trace(build(), shape);
    const bytes = toOnnx(graph);
    const x = randomTensor('f32', concrete, 9);
    const expected = interpret(graph, { x }).outputs.y.data as Float32Array;
    expectNear(await ortRun(bytes, x), expected);
    // And the exported file imports back into dawnflow with the same results.
    const back = importOnnx(bytes).graph;
    expectNear(interpret(back, { x }).outputList[0].data as Float32Array, expected);
  });

  it('trained parameters replace the initial state values', async () => {
    const graph = trace(new nn.Sequential(new nn.Linear(3, 2)), [1, 3]);
    const states = Object.fromEntries([...graph.states].map(([v, t]) => [v.name, { ...t, data: new Float32Array(t.data.length).fill(0.5) }]));
    const y = await ortRun(toOnnx(graph, { states }), { dtype: 'f32', shape: [1, 3], data: new Float32Array([1, 2, 3]) });
    expect([...y]).toEqual([3.5, 3.5]);
  });
});

describe('dawnflow export', () => {
  it('writes a module.ts model as ONNX that imports back with its symbolic batch', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { exportCommand } = await import('../../bin/commands/export.js');
    const dir = mkdtempSync(join(tmpdir(), 'dawnflow-export-'));
    const dsl = new URL('../../compiler/dsl/index.js', import.meta.url).pathname.replace(/\.js$/, '.ts');
    writeFileSync(
      join(dir, 'model.ts'),
      `import { nn, Trace } from '${dsl}';
export default function () {
  const model = new nn.Sequential(new nn.Linear(4, 8), nn.ReLU(), new nn.Linear(8, 2));
  model.namedParameters();
  model.initialize(1);
  const t = new Trace('tiny', { mode: 'eval', seed: 1 });
  t.output(model.call(t.input('x', 'f32', ['batch', 4])), 'y');
  return t;
}
`,
    );
    const lines: string[] = [];
    await exportCommand([join(dir, 'model.ts'), '-o', join(dir, 'model.onnx')], { print: (l) => lines.push(l), info: () => {} });
    expect(lines[0]).toMatch(/wrote .*model\.onnx/);
    const { readFileSync } = await import('node:fs');
    const imported = importOnnx(readFileSync(join(dir, 'model.onnx')));
    expect(imported.inputs[0].shape).toEqual(['batch', 4]);
    expect(imported.graph.nodes.map((n) => n.op)).toEqual(['matmul', 'add', 'relu', 'matmul', 'add']);
  });
});
