import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { CliIO } from '../../bin/io.js';
import type { HostTensor } from '../../ir/index.js';
import { encodeNpy, readNpy } from '../../runtime/io/npy.js';
import { F32, int64s, modelBytes, node, tensor, valueInfo } from '../onnx/helpers/onnx_builder.js';
import { randomTensor } from '../helpers/random.js';
import { tempDir } from './helpers.js';

/**
 * `dawnflow compile model.onnx -o dir` without --dim keeps the model's dynamic dims symbolic:
 * one artifact serves every size through `dawnflow run <dir>`, matching onnxruntime-node. The
 * model reshapes through a Shape → Gather → Mul → Concat chain (batch·seq rows), as exporters
 * write it, so the shape arithmetic stays symbolic too.
 */

const W1 = randomTensor('f32', [8, 6], 41);
const B1 = randomTensor('f32', [6], 42);
const MODEL = modelBytes({
  opset: 17,
  nodes: [
    node('Shape', ['x'], ['shape']),
    node('Gather', ['shape', 'i0'], ['batch_n'], { axis: 0 }),
    node('Gather', ['shape', 'i1'], ['seq_n'], { axis: 0 }),
    node('Mul', ['batch_n', 'seq_n'], ['rows']),
    node('Unsqueeze', ['rows', 'axes0'], ['rows1']),
    node('Concat', ['rows1', 'eight'], ['flat_shape'], { axis: 0 }),
    node('Reshape', ['x', 'flat_shape'], ['flat']),
    node('MatMul', ['flat', 'w1'], ['h']),
    node('Add', ['h', 'b1'], ['hb']),
    node('Relu', ['hb'], ['r']),
    node('Unsqueeze', ['batch_n', 'axes0'], ['batch1']),
    node('Unsqueeze', ['seq_n', 'axes0'], ['seq1']),
    node('Concat', ['batch1', 'seq1', 'six'], ['out_shape'], { axis: 0 }),
    node('Reshape', ['r', 'out_shape'], ['r3']),
    node('Softmax', ['r3'], ['y'], { axis: -1 }),
    node('ReduceMean', ['r3'], ['pooled'], { axes: [1], keepdims: 0 }),
  ],
  inputs: [valueInfo('x', F32, ['batch', 'seq', 8])],
  outputs: [valueInfo('y', F32, ['batch', 'seq', 6]), valueInfo('pooled', F32, ['batch', 6])],
  initializers: [
    tensor('w1', [8, 6], W1.data as Float32Array),
    tensor('b1', [6], B1.data as Float32Array),
    int64s('i0', [0], []),
    int64s('i1', [1], []),
    int64s('axes0', [0]),
    int64s('eight', [8]),
    int64s('six', [6]),
  ],
});

let dir: string;
let session: ort.InferenceSession;

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { print: (l) => out.push(...l.split('\n')), info: (l) => err.push(...l.split('\n')) };
  return { code: await main(argv, io), out, err };
}

beforeAll(async () => {
  dir = await tempDir('symbolic-artifact');
  await writeFile(join(dir, 'model.onnx'), MODEL);
  session = await ort.InferenceSession.create(MODEL, { executionProviders: ['cpu'] });
});

afterAll(async () => {
  await session?.release();
});

async function onnxruntime(x: HostTensor): Promise<Record<string, Float32Array>> {
  const out = await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
  return { y: out.y.data as Float32Array, pooled: out.pooled.data as Float32Array };
}

describe('an artifact compiled without --dim', () => {
  it('keeps batch and seq symbolic, in plan.json and in the typed module', async () => {
    const r = await cli('compile', join(dir, 'model.onnx'), '-o', join(dir, 'art'));
    expect(r.code, r.err.join('\n')).toBe(0);
    const plan = JSON.parse(await readFile(join(dir, 'art', 'plan.json'), 'utf8')) as { symbolic: { dims: Record<string, unknown> }; tensors: { shape: unknown[] }[]; inputs: { tensor: number }[] };
    expect(Object.keys(plan.symbolic.dims)).toEqual(['batch', 'seq']);
    expect(plan.tensors[plan.inputs[0].tensor].shape).toEqual(['batch', 'seq', 8]);
    const dts = await readFile(join(dir, 'art', 'model.d.ts'), 'utf8');
    expect(dts).toMatch(/readonly batch: number;/);
    expect(dts).toMatch(/readonly seq: number;/);
    expect(dts).toMatch(/Tensor<'f32', Float32Array, readonly \[number, number, 6\]>/);
  });

  it('serves several sizes through `dawnflow run <dir>`, each equal to onnxruntime-node', async () => {
    for (const [batch, seq] of [
      [1, 1],
      [3, 7],
      [5, 40],
    ]) {
      const x = randomTensor('f32', [batch, seq, 8], 100 + batch);
      const input = join(dir, `x_${batch}_${seq}.npy`);
      await writeFile(input, encodeNpy(x));
      const out = join(dir, `out_${batch}_${seq}`);
      const r = await cli('run', join(dir, 'art'), '--input', `x=${input}`, '--out', out);
      expect(r.code, r.err.join('\n')).toBe(0);
      const want = await onnxruntime(x);
      for (const name of ['y', 'pooled'] as const) {
        const got = readNpy(await readFile(join(out, `${name}.npy`)));
        expect([...got.shape], name).toEqual(name === 'y' ? [batch, seq, 6] : [batch, 6]);
        const data = got.data as Float32Array;
        expect(data.length).toBe(want[name].length);
        for (let i = 0; i < data.length; i++) {
          if (!(Math.abs(data[i] - want[name][i]) <= 1e-5 + 1e-4 * Math.abs(want[name][i]))) expect.fail(`${name} at batch ${batch}, seq ${seq}: element ${i} is ${data[i]}, onnxruntime gives ${want[name][i]}`);
        }
      }
    }
  });

  it('refuses an input of the wrong rank or a fixed dim that differs, naming the input', async () => {
    const input = join(dir, 'bad.npy');
    await writeFile(input, encodeNpy(randomTensor('f32', [2, 3, 9], 1)));
    const r = await cli('run', join(dir, 'art'), '--input', `x=${input}`, '--out', join(dir, 'bad_out'));
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/INPUT: .*'x'/);
  });
});
