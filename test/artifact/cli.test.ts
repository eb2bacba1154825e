import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileCommand } from '../../bin/commands/compile.js';
import { runCommand } from '../../bin/commands/run.js';
import { compileModelFile } from '../../bin/model_file.js';
import type { DawnDevice, HostTensor } from '../../runtime/index.js';
import { Executable, getDefaultDevice, loadArtifact, UsageError } from '../../runtime/index.js';
import { encodeNpy, readNpy } from '../../runtime/io/npy.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { RUNTIME_SOURCE_URL, tempDir } from './helpers.js';

/**
 * `dawnflow compile` and `dawnflow run` through the functions the CLI calls: an ONNX file
 * (checked against onnxruntime-node), a module exporting a graph, and a DSL training step
 * compiled twice (training and inference) whose exported parameters the inference artifact loads.
 */

const CONV = '/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d/model.onnx';
const quiet = { print: () => undefined, info: () => undefined };
let device: DawnDevice;

beforeAll(async () => {
  device = await getDefaultDevice();
});

/** Runs a plan in process: what the artifact's outputs must equal bit for bit. */
async function runPlan(plan: Parameters<typeof Executable.load>[0], inputs: Record<string, HostTensor>, states: Record<string, HostTensor> = {}) {
  const exe = await Executable.load(plan, device);
  try {
    for (const [name, value] of Object.entries(states)) exe.writeState(name, value);
    return await exe.run(inputs);
  } finally {
    exe.dispose();
  }
}

describe('dawnflow compile / run', () => {
  it('compiles an ONNX file and runs it from .npy to .npy, matching onnxruntime and the in-process plan', async () => {
    const dir = await tempDir('cli-onnx');
    const lines: string[] = [];
    const { plan } = await compileCommand([CONV, '-o', join(dir, 'artifact'), '--device-limits', '--runtime-import', RUNTIME_SOURCE_URL], { print: (l) => lines.push(l), info: () => undefined });
    expect(lines.join('\n')).toMatch(/compiled .*test_Conv2d\/model\.onnx → .*artifact: \d+ kernels/);
    expect(plan.inputs.map((i) => i.name)).toEqual(['0']);

    const x = randomTensor('f32', [2, 3, 7, 5], 17);
    await writeFile(join(dir, 'x.npy'), encodeNpy(x));
    const { outputs } = await runCommand([join(dir, 'artifact'), '--input', `0=${join(dir, 'x.npy')}`, '--out', join(dir, 'out')], quiet);
    expect(outputs).toEqual({ '3': join(dir, 'out', '3.npy') });
    const y = readNpy(await readFile(outputs['3']));

    const inProcess = await runPlan((await compileModelFile(CONV, { limits: device.limits })).plan, { '0': x });
    expect(y).toEqual(inProcess['3']);

    const session = await ort.InferenceSession.create(CONV);
    const expected = (await session.run({ '0': new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) }))['3'];
    expectClose(y, { dtype: 'f32', shape: [...expected.dims], data: expected.data as Float32Array }, { rtol: 1e-4, atol: 1e-5 });
  });

  it('`run <artifact dir>` writes the same .npy files, byte for byte, as `run <model.onnx>` (int64 outputs too)', async () => {
    const { main } = await import('../../bin/cli.js');
    const io = { print: () => undefined, info: () => undefined };
    for (const name of ['test_argmax_default_axis_random', 'test_Conv2d']) {
      const model = name.startsWith('test_Conv') ? CONV : `/usr/share/libonnx-testdata/data/node/${name}/model.onnx`;
      const input = join(dirname(model), 'test_data_set_0', 'input_0.pb');
      const dir = await tempDir(`cli-contract-${name}`);
      const inputName = name.startsWith('test_Conv') ? '0' : 'data';
      expect(await main(['run', model, '--input', `${inputName}=${input}`, '--out', join(dir, 'direct')], io)).toBe(0);
      expect(await main(['compile', model, '-o', join(dir, 'artifact'), '--device-limits'], io)).toBe(0);
      expect(await main(['run', join(dir, 'artifact'), '--input', `${inputName}=${input}`, '--out', join(dir, 'via-artifact')], io)).toBe(0);
      const files = await readdir(join(dir, 'direct'));
      expect(files.length).toBeGreaterThan(0);
      expect(await readdir(join(dir, 'via-artifact'))).toEqual(files);
      for (const file of files) expect(await readFile(join(dir, 'via-artifact', file)), `${name}/${file}`).toEqual(await readFile(join(dir, 'direct', file)));
      if (name.startsWith('test_argmax')) expect((await readFile(join(dir, 'direct', files[0]))).toString('latin1')).toContain("'descr': '<i8'");
    }
  });

  it('compiles a module exporting a graph function', async () => {
    const dir = await tempDir('cli-graph');
    const { plan } = await compileCommand([resolve('test/artifact/fixtures/graph_module.ts'), '-o', dir, '--runtime-import', RUNTIME_SOURCE_URL], quiet);
    expect(plan.outputs.map((o) => o.name)).toEqual(['prediction']);
    const artifact = await loadArtifact(dir, device);
    const x = randomTensor('f32', [8, 4], 5);
    try {
      expect(await artifact.run({ x })).toEqual(await runPlan(plan, { x }));
    } finally {
      artifact.dispose();
    }
  });

  it('compiles a DSL training step and its inference graph; trained parameters carry over', async () => {
    const module = resolve('test/artifact/fixtures/regression_module.ts');
    const trainDir = await tempDir('cli-train');
    const inferDir = await tempDir('cli-infer');
    await compileCommand([module, '-o', trainDir, '--device-limits', '--runtime-import', RUNTIME_SOURCE_URL], quiet);
    const { plan: evalPlan } = await compileCommand([module, '-o', inferDir, '--inference', '--device-limits', '--runtime-import', RUNTIME_SOURCE_URL], quiet);

    const training = await loadArtifact(trainDir, device);
    const batch = { x: randomTensor('f32', [8, 4], 1), y: randomTensor('f32', [8, 2], 2) };
    const params = join(trainDir, '..', `${trainDir.split('/').pop()}.safetensors`);
    let losses: number[];
    let trained: Record<string, HostTensor>;
    try {
      const steps = [];
      for (let i = 0; i < 20; i++) steps.push(training.dispatch(batch, { outputs: ['loss'] }));
      losses = await Promise.all(steps.map(async (s) => (await s.read('loss')).data[0]));
      await training.exportStates(params);
      const names = evalPlan.states.map((s) => evalPlan.tensors[s.tensor].name);
      trained = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await training.readState(n)] as const)));
    } finally {
      training.dispose();
    }
    // Adam on a fixed batch: the loss goes down.
    expect(losses[19]).toBeLessThan(losses[0]);

    const inference = await loadArtifact(inferDir, { device, weights: params, unusedWeights: 'ignore' });
    try {
      const x = randomTensor('f32', [8, 4], 9);
      const y = randomTensor('f32', [8, 2], 10);
      expect(await inference.run({ x, y })).toEqual(await runPlan(evalPlan, { x, y }, trained));
    } finally {
      inference.dispose();
    }
  });

  it('`run <artifact dir>` through the binary loads no compiler code (.npy inputs; a .pb needs the ONNX parser)', async () => {
    const dir = await tempDir('cli-no-compiler');
    const io = { print: () => undefined, info: () => undefined };
    const { main } = await import('../../bin/cli.js');
    expect(await main(['compile', CONV, '-o', join(dir, 'artifact'), '--device-limits'], io)).toBe(0);
    const x = randomTensor('f32', [2, 3, 7, 5], 29);
    await writeFile(join(dir, 'x.npy'), encodeNpy(x));
    expect(await main(['run', CONV, '--input', `0=${join(dir, 'x.npy')}`, '--out', join(dir, 'direct')], io)).toBe(0);

    // The hooks apply to the child process the binary runs the command in (same Node flags).
    const deny = ['--import', 'tsx', '--import', resolve('test/artifact/fixtures/deny_compiler.mjs'), resolve('bin/dawnflow.ts'), 'run', join(dir, 'artifact')];
    const run = spawnSync(process.execPath, [...deny, '--input', `0=${join(dir, 'x.npy')}`, '--out', join(dir, 'denied')], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`3: f32[2,4,5,4] -> ${join(dir, 'denied', '3.npy')}\n`);
    expect(await readFile(join(dir, 'denied', '3.npy'))).toEqual(await readFile(join(dir, 'direct', '3.npy')));
    // Control: a .pb input does need compiler/onnx, and the hooks stop it there.
    const pb = join(dirname(CONV), 'test_data_set_0', 'input_0.pb');
    const control = spawnSync(process.execPath, [...deny, '--input', `0=${pb}`, '--out', join(dir, 'denied-pb')], { encoding: 'utf8', timeout: 120_000 });
    expect(control.status).toBe(1);
    expect(control.stderr).toMatch(/^dawnflow: INTERNAL: forbidden import of file:\/\/.*\/compiler\/onnx\/proto\.ts/);
  });

  it('rejects bad arguments with usage errors', async () => {
    await expect(compileCommand([CONV], quiet)).rejects.toThrow(/-o <dir> is required/);
    await expect(compileCommand(['model.txt', '-o', '/tmp/x'], quiet)).rejects.toThrow(UsageError);
    await expect(compileCommand([CONV, '-o', '/tmp/x', '--dim', 'n'], quiet)).rejects.toThrow(/--dim n: expected name=value/);
    const dir = await tempDir('cli-bad');
    await compileCommand([resolve('test/artifact/fixtures/graph_module.ts'), '-o', dir, '--runtime-import', RUNTIME_SOURCE_URL], quiet);
    await expect(runCommand([dir, '--out', join(dir, 'o')], quiet)).rejects.toThrow(/^missing input 'x' \(f32\[8,4\]\) \(give --input <name>=<file>\)$/);
    await expect(runCommand([dir, '--input', 'z=a.npy', '--out', join(dir, 'o')], quiet)).rejects.toThrow(/^the model has no input 'z' \(inputs: x\)$/);
    await expect(runCommand([dir, '--input', 'x=a.npy', '--input', 'x=b.npy', '--out', join(dir, 'o')], quiet)).rejects.toThrow(UsageError);
    await expect(runCommand([dir, '--input', `x=${join(dir, 'nope.npy')}`, '--out', join(dir, 'o')], quiet)).rejects.toThrow(/cannot read input file for 'x' .*nope\.npy': no such file/);
    // Options that belong to the other kind of target.
    await expect(runCommand([dir, '--tune', '--out', join(dir, 'o')], quiet)).rejects.toThrow(/^run: an artifact's kernels are fixed when it is compiled/);
    await expect(runCommand([CONV, '--weights', join(dir, 'w.safetensors'), '--out', join(dir, 'o')], quiet)).rejects.toThrow(/^run: --weights applies to an artifact directory/);
    await expect(runCommand([dir, '--bogus', '--out', join(dir, 'o')], quiet)).rejects.toThrow(UsageError);
  });
});
