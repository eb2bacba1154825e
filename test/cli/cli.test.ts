import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { CliIO } from '../../bin/io.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { encodeTensor } from '../../compiler/onnx/tensor_proto.js';
import { encodeTensorProto, OnnxType } from '../../compiler/onnx/proto.js';
import type { HostTensor } from '../../ir/index.js';
import { encodeNpy, parseNpy, readNpy } from '../../runtime/io/npy.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { F32, I64, modelBytes, node, tensor, valueInfo } from '../onnx/helpers/onnx_builder.js';
import { randomTensor } from '../helpers/random.js';
import { B, W } from './fixtures/batch_module.js';

/**
 * The dawnflow CLI. Most cases call its main() in process (the same code the binary runs);
 * a few spawn the real binary to check exit codes, stdout/stderr and that no stack leaks out.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dawnflow-cli-'));
const path = (name: string) => join(dir, name);

/** y = softmax(x·w + b) under an awkward name, and argmax as int64 "class". */
const MODEL = modelBytes({
  opset: 17,
  nodes: [node('MatMul', ['x', 'w'], ['h']), node('Add', ['h', 'b'], ['logits']), node('Softmax', ['logits'], ['out/prob:0']), node('ArgMax', ['logits'], ['class'], { axis: 1, keepdims: 0 })],
  inputs: [valueInfo('x', F32, ['batch', 4])],
  outputs: [valueInfo('out/prob:0', F32, ['batch', 3]), valueInfo('class', I64, ['batch'])],
  initializers: [tensor('w', [4, 3], randomTensor('f32', [4, 3], 5).data as Float32Array), tensor('b', [3], [0.1, -0.2, 0.3])],
});
const X = randomTensor('f32', [2, 4], 6);

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[]; ms: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { print: (l) => out.push(...l.split('\n')), info: (l) => err.push(...l.split('\n')) };
  const start = performance.now();
  const code = await main(argv, io);
  return { code, out, err, ms: performance.now() - start };
}

function spawnCli(...argv: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/dawnflow.ts'), ...argv], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  writeFileSync(path('model.onnx'), MODEL);
  writeFileSync(path('x.npy'), encodeNpy(X));
  writeFileSync(path('x64.npy'), encodeNpy(X, '<f8'));
  writeFileSync(path('x.pb'), encodeTensorProto(encodeTensor(X, 'x')));
  writeFileSync(path('xint.npy'), encodeNpy({ dtype: 'i32', shape: [2, 4], data: new Int32Array(8) }));
  writeFileSync(path('xbad.npy'), encodeNpy(randomTensor('f32', [2, 5], 1)));
  writeFileSync(path('corrupt.npy'), encodeNpy(X).subarray(0, 90));
  writeFileSync(path('empty.onnx'), new Uint8Array());
  writeFileSync(path('text.onnx'), 'this is not a model\n'.repeat(20));
  writeFileSync(path('truncated.onnx'), MODEL.subarray(0, Math.floor(MODEL.length / 2)));
  const one = (nodes: ReturnType<typeof node>[], extra: Partial<Parameters<typeof modelBytes>[0]> = {}) =>
    modelBytes({ nodes, inputs: [valueInfo('x', F32, [2, 4])], outputs: [valueInfo('y', F32, [2, 4])], ...extra });
  writeFileSync(path('unknown_op.onnx'), one([node('Frobnicate', ['x'], ['y'], {}, 'frob')]));
  writeFileSync(path('cycle.onnx'), one([node('Neg', ['z'], ['y']), node('Relu', ['y'], ['z'])]));
  writeFileSync(path('dangling.onnx'), one([node('Neg', ['ghost'], ['y'])]));
  writeFileSync(path('bad_init.onnx'), one([node('Add', ['x', 'w'], ['y'])], { initializers: [{ ...tensor('w', [4], [1, 2, 3, 4]), dims: [2, 4] }] }));
});

/** What the reference interpreter computes for the model: the oracle for the CLI's files. */
function expected(): Record<string, HostTensor> {
  const { graph } = importOnnx(MODEL, { inputShapes: { x: [2, 4] } });
  return interpret(graph, { x: X }).outputs;
}

describe('dawnflow run', () => {
  it('runs a model on .npy, float64 .npy and .pb inputs and writes sanitized .npy outputs', async () => {
    const want = expected();
    for (const input of ['x.npy', 'x64.npy', 'x.pb']) {
      const outDir = path(`out-${input}`);
      const r = await cli('run', path('model.onnx'), '--input', `x=${path(input)}`, '--out', outDir);
      expect(r.err.filter((l) => l.startsWith('dawnflow:'))).toEqual([]);
      expect(r.code).toBe(0);
      const prob = readNpy(readFileSync(join(outDir, 'out_prob_0.npy')));
      expect(prob.shape).toEqual([2, 3]);
      Array.from(prob.data).forEach((v, i) => expect(v).toBeCloseTo(Number(want['out/prob:0'].data[i]), 5));
      const cls = parseNpy(readFileSync(join(outDir, 'class.npy')));
      expect(cls.descr).toBe('<i8');
      expect(Array.from(cls.values)).toEqual(Array.from(want.class.data));
    }
  });

  it('--tune times the kernels on the adapter and caches the winners; --profile prints device time per step', async () => {
    const want = expected();
    const cache = path('tuning.json');
    const previous = process.env.DAWNFLOW_TUNING_CACHE;
    process.env.DAWNFLOW_TUNING_CACHE = cache;
    try {
      const outDir = path('out-tuned');
      const r = await cli('run', path('model.onnx'), '-i', `x=${path('x.npy')}`, '-o', outDir, '--tune', '--profile');
      expect(r.code).toBe(0);
      const prob = readNpy(readFileSync(join(outDir, 'out_prob_0.npy')));
      Array.from(prob.data).forEach((v, i) => expect(v).toBeCloseTo(Number(want['out/prob:0'].data[i]), 5));
      // The cache was written; this model's 2×4·4×3 matmul is below what tuning measures.
      const table = JSON.parse(readFileSync(cache, 'utf8')) as { entries: Record<string, { config: Record<string, number> }> };
      expect(table.entries).toEqual({});
      const header = r.out.find((l) => l.startsWith('device time per step'));
      expect(header).toMatch(/ms in \d+ steps/);
      const rows = r.out.filter((l) => / ms +[\d.]+%.* +step +\d+ /.test(l));
      expect(rows.length).toBeGreaterThan(0);
      const times = rows.map((l) => Number(l.trim().split(' ')[0]));
      // The matmul steps state their rate and its share of the FMA peak measured with the profile.
      const peak = Number(/f32 FMA peak measured now: ([\d.]+) GFLOP\/s/.exec(r.out.join('\n'))?.[1]);
      expect(peak).toBeGreaterThan(0);
      const rated = rows.filter((l) => /GFLOP\/s/.test(l));
      expect(rated.length).toBeGreaterThan(0);
      for (const l of rated) {
        const [, ms, gflops, share] = /^\s*([\d.]+) ms .* ([\d.e+-]+) GFLOP\/s +([\d.e+-]+)% of peak/.exec(l)!;
        expect(Number(gflops)).toBeGreaterThan(0);
        expect(Number(share)).toBeCloseTo((100 * Number(gflops)) / peak, 0);
        expect(Number(ms)).toBeGreaterThan(0);
      }
      expect(times.every((t) => Number.isFinite(t) && t >= 0)).toBe(true);
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    } finally {
      if (previous === undefined) delete process.env.DAWNFLOW_TUNING_CACHE;
      else process.env.DAWNFLOW_TUNING_CACHE = previous;
    }
  });

  it('keeps compiled plans in the plan cache: the second run of a model loads its plan, same outputs; other shapes or a damaged entry compile again', async () => {
    const saved = { cache: process.env.DAWNFLOW_PLAN_CACHE, dir: process.env.DAWNFLOW_CACHE_DIR };
    process.env.DAWNFLOW_PLAN_CACHE = 'on';
    process.env.DAWNFLOW_CACHE_DIR = path('cache');
    const fromCache = (r: { err: string[] }) => r.err.some((l) => l.includes('came from the plan cache'));
    try {
      const run = async (name: string, x: string) => {
        const r = await cli('run', path('model.onnx'), '-i', `x=${x}`, '-o', path(name));
        expect(r.code).toBe(0);
        return { r, prob: Array.from(readNpy(readFileSync(join(path(name), 'out_prob_0.npy'))).data as Float32Array) };
      };
      const first = await run('cached-1', path('x.npy'));
      expect(fromCache(first.r)).toBe(false);
      const second = await run('cached-2', path('x.npy'));
      expect(fromCache(second.r)).toBe(true);
      expect(second.prob).toEqual(first.prob);
      // The int64 output keeps its element type through the cached plan.
      expect(parseNpy(readFileSync(join(path('cached-2'), 'class.npy'))).descr).toBe('<i8');
      const want = expected();
      second.prob.forEach((v, i) => expect(v).toBeCloseTo(Number(want['out/prob:0'].data[i]), 5));
      // Another batch size is another plan.
      writeFileSync(path('x3.npy'), encodeNpy(randomTensor('f32', [3, 4], 8)));
      expect(fromCache((await run('cached-3', path('x3.npy'))).r)).toBe(false);
      expect(fromCache((await run('cached-4', path('x3.npy'))).r)).toBe(true);
      // A damaged entry fails its checksums: compiled again (and stored again), never a wrong result.
      const entries = readdirSync(path('cache/plans'));
      expect(entries).toHaveLength(2);
      for (const e of entries) writeFileSync(join(path('cache/plans'), e, 'weights.safetensors'), 'damaged');
      const again = await run('cached-5', path('x.npy'));
      expect(fromCache(again.r)).toBe(false);
      expect(again.prob).toEqual(first.prob);
      expect(fromCache((await run('cached-6', path('x.npy'))).r)).toBe(true);
    } finally {
      for (const [name, value] of [['DAWNFLOW_PLAN_CACHE', saved.cache], ['DAWNFLOW_CACHE_DIR', saved.dir]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  const errorCases: [string, string[], string, RegExp][] = [
    ['a missing model file', ['run', path('nope.onnx'), '--out', dir], 'INPUT', /cannot read model .*nope.onnx': no such file/],
    ['an empty file', ['run', path('empty.onnx'), '--out', dir], 'MODEL_FORMAT', /the file is empty/],
    ['bytes that are not a ModelProto', ['run', path('text.onnx'), '--out', dir], 'MODEL_FORMAT', /text.onnx/],
    ['a truncated file', ['run', path('truncated.onnx'), '--out', dir], 'MODEL_FORMAT', /truncated/],
    ['an unknown op', ['run', path('unknown_op.onnx'), '-i', `x=${path('x.npy')}`, '--out', dir], 'UNSUPPORTED_OP', /Frobnicate 'frob': unsupported op ai.onnx::Frobnicate \(opset 17\)/],
    ['a cycle', ['run', path('cycle.onnx'), '-i', `x=${path('x.npy')}`, '--out', dir], 'GRAPH', /cycle/],
    ['a dangling value', ['run', path('dangling.onnx'), '-i', `x=${path('x.npy')}`, '--out', dir], 'GRAPH', /'ghost' is dangling/],
    ['an initializer whose data does not match its dims', ['run', path('bad_init.onnx'), '-i', `x=${path('x.npy')}`, '--out', dir], 'MODEL_FORMAT', /initializer 'w': raw_data has 16 bytes/],
    ['an input of the wrong shape', ['run', path('model.onnx'), '-i', `x=${path('xbad.npy')}`, '--out', dir], 'INPUT', /input 'x' .* has shape \[2,5\], the model expects \[batch,4\]/],
    ['an input of the wrong dtype', ['run', path('model.onnx'), '-i', `x=${path('xint.npy')}`, '--out', dir], 'INPUT', /holds '<i4' values, expected f32/],
    ['a corrupt .npy', ['run', path('model.onnx'), '-i', `x=${path('corrupt.npy')}`, '--out', dir], 'INPUT', /corrupt.npy/],
    ['a missing input', ['run', path('model.onnx'), '--out', dir], 'INPUT', /missing input 'x'/],
    ['an unknown input name', ['run', path('model.onnx'), '-i', `y=${path('x.npy')}`, '--out', dir], 'INPUT', /the model has no input 'y' \(inputs: x\)/],
  ];
  for (const [what, argv, code, message] of errorCases) {
    it(`fails in one line on ${what}`, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(1);
      expect(r.out).toEqual([]);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(new RegExp(`^dawnflow: ${code}: `));
      expect(r.err[0]).toMatch(message);
      expect(r.ms).toBeLessThan(5000);
    });
  }

  it('treats bad flags as usage errors (exit 2)', async () => {
    expect((await cli('run', path('model.onnx'), '--bogus')).code).toBe(2);
    const noOut = await cli('run', path('model.onnx'), '-i', `x=${path('x.npy')}`);
    expect(noOut.code).toBe(2);
    expect(noOut.err[0]).toBe('dawnflow: USAGE: run: --out <dir> is required');
    expect((await cli('frobnicate')).err[0]).toMatch(/^dawnflow: USAGE: unknown command 'frobnicate'/);
  });
});

describe('dawnflow inspect and help', () => {
  it('inspect lists inputs, outputs, ops and unsupported ops', async () => {
    const r = await cli('inspect', path('model.onnx'));
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toContain('x: float[batch,4]');
    expect(text).toContain('class: int64[batch]');
    expect(text).toMatch(/MatMul x1/);
    expect(text).toContain('unsupported: none');
    const bad = await cli('inspect', path('unknown_op.onnx'));
    expect(bad.out.join('\n')).toContain('unsupported: ai.onnx::Frobnicate (opset 17)');
    expect(bad.out.join('\n')).toContain("import: UNSUPPORTED_OP: Frobnicate 'frob'");
  });

  it('the binary prints help listing every planned command, and one error line without a stack', () => {
    const help = spawnCli('--help');
    expect(help.status).toBe(0);
    for (const command of ['run', 'inspect', 'compile', 'export', 'bench']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).toMatch(/export .*ONNX file/);
    expect(help.stdout).toMatch(/bench .*npm run bench/);
    const missing = spawnCli('run', path('nope.onnx'), '--out', dir);
    expect(missing.status).toBe(1);
    const lines = missing.stderr.split('\n').filter((l) => l.startsWith('dawnflow:') || l.startsWith('    at '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dawnflow: INPUT: cannot read model/);
    const verbose = spawnCli('run', path('nope.onnx'), '--out', dir, '--verbose');
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });

  it('the binary runs a model end to end', () => {
    const outDir = path('spawned');
    const r = spawnCli('run', path('model.onnx'), '--input', `x=${path('x.npy')}`, '--out', outDir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`out/prob:0: f32[2,3] -> ${join(outDir, 'out_prob_0.npy')}`);
    const want = expected();
    expect(Array.from(parseNpy(readFileSync(join(outDir, 'class.npy'))).values)).toEqual(Array.from(want.class.data));
  });
});

// A .pb with an int64 type the model does not declare is refused like a wrong .npy.
it('rejects a .pb input of the wrong element type', async () => {
  writeFileSync(path('xi.pb'), encodeTensorProto(encodeTensor({ dtype: 'i32', shape: [2, 4], data: new Int32Array(8) }, 'x', OnnxType.INT64)));
  const r = await cli('run', path('model.onnx'), '-i', `x=${path('xi.pb')}`, '--out', dir);
  expect(r.err[0]).toMatch(/^dawnflow: INPUT: input 'x' .*holds i32 values, the model expects f32/);
});

describe('dawnflow run on a DSL module', () => {
  const MODULE = join(ROOT, 'test/cli/fixtures/batch_module.ts');

  /** relu(x·W + b) and that plus z, in float64: the oracle. */
  function oracle(x: HostTensor, z: HostTensor): { y: number[]; sum: number[] } {
    const rows = x.shape[0];
    const y: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < 3; c++) {
        let acc = B[c];
        for (let k = 0; k < 4; k++) acc += Number(x.data[r * 4 + k]) * W[k * 3 + c];
        y.push(Math.max(0, acc));
      }
    }
    return { y, sum: y.map((v, i) => v + Number(z.data[i])) };
  }

  it('binds the symbolic batch dim from the inputs and writes each output', async () => {
    for (const rows of [5, 2]) {
      const x = randomTensor('f32', [rows, 4], 40 + rows);
      const z = randomTensor('f32', [rows, 3], 50 + rows);
      writeFileSync(path(`mx${rows}.npy`), encodeNpy(x));
      writeFileSync(path(`mz${rows}.npy`), encodeNpy(z));
      const outDir = path(`out-module-${rows}`);
      const r = await cli('run', MODULE, '-i', `x=${path(`mx${rows}.npy`)}`, '-i', `z=${path(`mz${rows}.npy`)}`, '-o', outDir);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out).toEqual([`y: f32[${rows},3] -> ${join(outDir, 'y.npy')}`, `sum: f32[${rows},3] -> ${join(outDir, 'sum.npy')}`]);
      const want = oracle(x, z);
      for (const name of ['y', 'sum'] as const) {
        const got = readNpy(readFileSync(join(outDir, `${name}.npy`)));
        expect(got.shape).toEqual([rows, 3]);
        Array.from(got.data).forEach((v, i) => expect(Math.abs(v - want[name][i]), `${name}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[name][i]))));
      }
    }
  });

  it('refuses inputs that give one symbolic dim two sizes, naming both inputs', async () => {
    const r = await cli('run', MODULE, '-i', `x=${path('mx5.npy')}`, '-i', `z=${path('mz2.npy')}`, '-o', path('out-module-bad'));
    expect(r.code).toBe(1);
    expect(r.err).toEqual(["dawnflow: INPUT: input 'z' has shape [2,3]: dim 'batch' is 2 here but 5 in input 'x'"]);
  });
});

describe('what a user sees', () => {
  it("a successful run through npx prints dawnflow's own lines and nothing else (no npm or Dawn notices)", async () => {
    const outDir = path('out-npx');
    const r = spawnSync('npx', ['tsx', 'bin/dawnflow.ts', 'run', path('model.onnx'), '--input', `x=${path('x.npy')}`, '--out', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    // The same command in process: the lines dawnflow itself prints.
    const own = await cli('run', path('model.onnx'), '--input', `x=${path('x.npy')}`, '--out', outDir);
    expect(own.out).toEqual([`out/prob:0: f32[2,3] -> ${join(outDir, 'out_prob_0.npy')}`, `class: i32[2] -> ${join(outDir, 'class.npy')}`]);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual(own.out);
    expect(r.stderr).toBe('');
  });
});
