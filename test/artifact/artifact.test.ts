import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitArtifact } from '../../compiler/artifact/index.js';
import { compile } from '../../compiler/compile.js';
import { interpret } from '../../targets/reference/interpreter.js';
import type { DawnDevice, HostTensor, LoadArtifactOptions, RunInput } from '../../runtime/index.js';
import { ArtifactError, Executable, getDefaultDevice, loadArtifact, readSafetensors } from '../../runtime/index.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { inferenceGraph, mlpGraph, TRAIN_SHAPES, trainingStepGraph } from './graphs.js';
import { RUNTIME_SOURCE_URL, runInProcess, tempDir } from './helpers.js';

let device: DawnDevice;
let mlpDir: string;

beforeAll(async () => {
  device = await getDefaultDevice();
  mlpDir = await tempDir('mlp');
  await emitArtifact(compile(mlpGraph(), { limits: device.limits }), mlpDir, { runtimeImport: RUNTIME_SOURCE_URL, compiledFor: device.limits });
});

/** The generated module as seen from here (its precise types are checked in typecheck.test.ts). */
interface GeneratedModule {
  readonly shapes: unknown;
  readonly dtypes: { readonly outputs: unknown };
  load(options: LoadArtifactOptions): Promise<{
    run(inputs: Record<string, RunInput>): Promise<Record<string, HostTensor>>;
    readState(name: string): Promise<HostTensor>;
    dispose(): void;
  }>;
}

const x = randomTensor('f32', [5, 8], 42);

/** Bitwise equality, dtype and shape included. */
function expectSameOutputs(actual: Record<string, HostTensor>, expected: Record<string, HostTensor>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) {
    expect(actual[name].dtype, name).toBe(t.dtype);
    expect(actual[name].shape, name).toEqual(t.shape);
    expect(actual[name].data.constructor, name).toBe(t.data.constructor);
    expect(Buffer.from(actual[name].data.buffer, actual[name].data.byteOffset, actual[name].data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), name).toBe(true);
  }
}

describe('artifact: emission', () => {
  it('writes plan, kernels, weights, typed module and a manifest hashing every file', async () => {
    const manifest = JSON.parse(await readFile(join(mlpDir, 'manifest.json'), 'utf8')) as { format: string; version: number; createdBy: string; files: Record<string, { sha256: string; bytes: number }> };
    expect(manifest.format).toBe('dawnflow-artifact');
    expect(manifest.version).toBe(1);
    expect(manifest.createdBy).toMatch(/^dawnflow \d+\.\d+\.\d+/);
    const kernels = (await readdir(join(mlpDir, 'kernels'))).map((f) => `kernels/${f}`);
    const expected = ['plan.json', 'weights.safetensors', 'model.ts', 'model.js', 'model.d.ts', 'package.json', ...kernels].sort();
    expect(Object.keys(manifest.files).sort()).toEqual(expected);
    expect(kernels.length).toBeGreaterThan(0);
    for (const [path, entry] of Object.entries(manifest.files)) expect((await readFile(join(mlpDir, path))).length).toBe(entry.bytes);

    const plan = JSON.parse(await readFile(join(mlpDir, 'plan.json'), 'utf8')) as { kernels: { source: string; wgsl?: string }[]; constants: { weight: string; data?: unknown }[]; requirements: { limits: Record<string, number> } };
    expect(plan.kernels.every((k) => k.wgsl === undefined && kernels.includes(k.source))).toBe(true);
    expect(plan.constants.every((c) => c.data === undefined)).toBe(true);
    // Two constants named fc1.bias and one unnamed: weight names stay unique.
    const names = plan.constants.map((c) => c.weight);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('fc1.bias');
    expect(names).toContain('fc1.bias#1');
    expect(plan.requirements.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(plan.requirements.limits.minStorageBufferOffsetAlignment).toBeLessThanOrEqual(256);

    const weights = await readSafetensors(join(mlpDir, 'weights.safetensors'));
    const graph = mlpGraph();
    const fc1 = [...graph.constants].find(([v]) => v.name === 'fc1.weight')![1];
    expect(weights.tensors.get('fc1.weight')).toEqual(fc1);
  });
});

describe('artifact: loading', () => {
  it('runs with outputs bitwise equal to the same graph compiled in process', async () => {
    const expected = await runInProcess(mlpGraph(), device, { x });
    const artifact = await loadArtifact(mlpDir, device);
    try {
      expectSameOutputs(await artifact.run({ x }), expected);
      // And the numbers are right, not merely reproducible: the reference interpreter agrees.
      const reference = interpret(mlpGraph(), { x }).outputs;
      expectClose(expected.logits, reference.logits, { rtol: 1e-5, atol: 1e-5 });
    } finally {
      artifact.dispose();
    }
  });

  it('runs through the generated module, typed by the model signature', async () => {
    const module = (await import(pathToFileURL(join(mlpDir, 'model.js')).href)) as GeneratedModule;
    expect(module.shapes).toEqual({ inputs: { x: [5, 8] }, outputs: { logits: [5, 3], shiftedClass: [5, 1], positive: [5, 3] }, states: {} });
    expect(module.dtypes.outputs).toEqual({ logits: 'f32', shiftedClass: 'i32', positive: 'bool' });
    const model = await module.load({ device });
    try {
      const out = await model.run({ x: x.data as Float32Array });
      expectSameOutputs(out, await runInProcess(mlpGraph(), device, { x }));
      expect(out.positive.data).toBeInstanceOf(Uint8Array);
      expect(out.shiftedClass.data).toBeInstanceOf(Int32Array);
    } finally {
      model.dispose();
    }
    const source = await readFile(join(mlpDir, 'model.ts'), 'utf8');
    expect(source).toContain('readonly x: Float32Array | Float64Array | HostTensor;');
    expect(source).toContain("readonly positive: Tensor<'bool', Uint8Array, readonly [5, 3]>;");
    expect(source).toContain('x: f32 [5, 8]');
    const js = await readFile(join(mlpDir, 'model.js'), 'utf8');
    const imports = [...js.matchAll(/\bfrom\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
    expect(imports).toEqual([RUNTIME_SOURCE_URL]);
    const dts = await readFile(join(mlpDir, 'model.d.ts'), 'utf8');
    expect(dts).toContain('export declare function load(options?: LoadOptions): Promise<Model>;');
  });

  it('imports the package entry by default', async () => {
    const dir = await tempDir('default-import');
    await emitArtifact(compile(inferenceGraph()), dir);
    const js = await readFile(join(dir, 'model.js'), 'utf8');
    expect(js).toMatch(/from ['"]dawnflow\/runtime['"]/);
    expect(existsSync(join(dir, 'model.d.ts'))).toBe(true);
  });
});

describe('artifact: training', () => {
  const batch = { x: randomTensor('f32', TRAIN_SHAPES.x, 7), y: randomTensor('f32', TRAIN_SHAPES.y, 8) };
  let trainDir: string;
  let inferDir: string;
  let exported: string;

  beforeAll(async () => {
    trainDir = await tempDir('train');
    inferDir = await tempDir('infer');
    exported = join(trainDir, '..', `${trainDir.split('/').pop()}-params.safetensors`);
    await emitArtifact(compile(trainingStepGraph(), { limits: device.limits }), trainDir, { runtimeImport: RUNTIME_SOURCE_URL });
    await emitArtifact(compile(inferenceGraph(), { limits: device.limits }), inferDir, { runtimeImport: RUNTIME_SOURCE_URL });
  });

  it('trains like the in-process plan, exports its parameters, and an inference artifact loads them', async () => {
    const reference = await Executable.load(compile(trainingStepGraph(), { limits: device.limits }), device);
    const artifact = await loadArtifact(trainDir, { device });
    try {
      for (let step = 0; step < 3; step++) {
        const [a, b] = await Promise.all([artifact.run(batch), reference.run(batch)]);
        expectSameOutputs(a, b);
      }
      for (const name of ['w', 'b', 'w.velocity']) expectSameOutputs({ [name]: await artifact.readState(name) }, { [name]: await reference.readState(name) });
      await artifact.exportStates(exported);
    } finally {
      artifact.dispose();
      reference.dispose();
    }

    const file = await readSafetensors(exported);
    expect([...file.tensors.keys()].sort()).toEqual(['b', 'w', 'w.velocity']);
    const trained = { w: file.tensors.get('w')!, b: file.tensors.get('b')! };
    // Training moved the parameters: loading them is observable.
    expect(trained.w.data).not.toEqual(inferenceGraph().constants.values().next().value!.data);

    // The optimizer's velocity has no place in the inference model: by default that is an error.
    await expect(loadArtifact(inferDir, { device, weights: exported })).rejects.toThrow(/tensor 'w\.velocity' names no constant or state/);
    const inference = await loadArtifact(inferDir, { device, weights: exported, unusedWeights: 'ignore' });
    try {
      expectSameOutputs(await inference.run({ x: batch.x }), await runInProcess(inferenceGraph(trained), device, { x: batch.x }));
    } finally {
      inference.dispose();
    }
  });

  it('resumes training from exported states through the typed module', async () => {
    const module = (await import(pathToFileURL(join(trainDir, 'model.js')).href)) as GeneratedModule;
    const resumed = await module.load({ device, weights: exported });
    try {
      expect((await resumed.readState('w')).data).toEqual((await readSafetensors(exported)).tensors.get('w')!.data);
      const loss = (await resumed.run({ x: batch.x.data as Float32Array, y: batch.y })).loss;
      expect(loss.shape).toEqual([]);
      expect(loss.data[0]).toBeGreaterThanOrEqual(0);
    } finally {
      resumed.dispose();
    }
  });

  it('rejects exported weights whose shape differs, naming the file and tensor', async () => {
    const bad = await tempDir('bad-weights');
    const { writeSafetensors } = await import('../../runtime/index.js');
    await writeSafetensors(join(bad, 'p.safetensors'), { w: randomTensor('f32', [2, 4], 1) });
    await expect(loadArtifact(inferDir, { device, weights: join(bad, 'p.safetensors') })).rejects.toThrow(ArtifactError);
    await expect(loadArtifact(inferDir, { device, weights: join(bad, 'p.safetensors') })).rejects.toThrow(/p\.safetensors: tensor 'w' is f32\[2,4\], but the artifact's constant 'w' is f32\[4,2\]/);
  });
});
