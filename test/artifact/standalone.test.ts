import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileCommand } from '../../bin/commands/compile.js';
import { randomTensor } from '../helpers/random.js';
import { RUNTIME_SOURCE_URL, tempDir } from './helpers.js';

/**
 * An artifact in a process of its own: with module hooks that throw on any import resolving
 * into compiler/ (or to onnx-proto, protobufjs, ts-morph, typescript), it loads and runs, and
 * its outputs equal those of a process that compiles the same ONNX model itself. Both report
 * the time from process start to the first result: the cold start the artifact is for.
 */

const run = promisify(execFile);
const CONV = '/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d/model.onnx';
const FIXTURES = resolve('test/artifact/fixtures');
const DENY = ['--import', 'tsx', '--import', join(FIXTURES, 'deny_compiler.mjs')];

interface ProcessResult {
  readonly startedMs: number;
  readonly loadedMs: number;
  readonly firstResultMs: number;
  readonly outputs: Record<string, { dtype: string; shape: number[]; data: number[] }>;
}

let dir: string;
let inputsPath: string;

beforeAll(async () => {
  dir = await tempDir('standalone');
  await compileCommand([CONV, '-o', join(dir, 'artifact'), '--device-limits', '--runtime-import', RUNTIME_SOURCE_URL], { print: () => undefined, info: () => undefined });
  const x = randomTensor('f32', [2, 3, 7, 5], 23);
  inputsPath = join(dir, 'inputs.json');
  await writeFile(inputsPath, JSON.stringify({ '0': { dtype: 'f32', shape: x.shape, data: Array.from(x.data) } }));
});

async function node(args: readonly string[], resultPath?: string): Promise<{ wallMs: number; result?: ProcessResult }> {
  const started = performance.now();
  await run(process.execPath, args, { cwd: resolve('.'), timeout: 240_000, env: process.env, maxBuffer: 16 << 20 });
  const wallMs = performance.now() - started;
  return { wallMs, result: resultPath ? (JSON.parse(await readFile(resultPath, 'utf8')) as ProcessResult) : undefined };
}

describe('artifact: standalone process', () => {
  it('the hooks do forbid the compiler (control)', async () => {
    const importCompiler = `await import(${JSON.stringify(pathToFileURL(resolve('compiler/compile.ts')).href)});`;
    const failure = await node([...DENY, '--input-type=module', '-e', importCompiler]).then(
      () => undefined,
      (e: { stderr?: string }) => e,
    );
    expect(failure, 'importing the compiler under the hooks succeeded').toBeDefined();
    expect(failure!.stderr).toMatch(/forbidden import of file:\/\/.*\/compiler\/compile\.ts/);
  });

  it('runs where importing the compiler throws, equal to compiling in process; reports cold starts', async () => {
    const artifactResult = join(dir, 'artifact-result.json');
    const compiledResult = join(dir, 'compiled-result.json');
    const artifact = await node([...DENY, join(FIXTURES, 'run_artifact.mjs'), join(dir, 'artifact'), inputsPath, artifactResult], artifactResult);
    const compiled = await node(['--import', 'tsx', join(FIXTURES, 'compile_and_run.mts'), CONV, inputsPath, compiledResult], compiledResult);
    expect(artifact.result!.outputs).toEqual(compiled.result!.outputs);
    const y = artifact.result!.outputs['3'];
    expect(y.data.length).toBe(y.shape.reduce((a, b) => a * b, 1));
    expect(y.data.some((v) => v !== 0)).toBe(true);

    const report = (label: string, r: { wallMs: number; result?: ProcessResult }) =>
      `${label}: first result ${r.result!.firstResultMs.toFixed(0)} ms after process start (script started ${r.result!.startedMs.toFixed(0)}, ready ${r.result!.loadedMs.toFixed(0)}; wall ${r.wallMs.toFixed(0)} ms)`;
    console.log(`cold start, ${CONV.split('/').slice(-2).join('/')}:\n  ${report('artifact', artifact)}\n  ${report('compile in process', compiled)}`);
  });
});
