import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { tunedCompileOptions } from '../../toolchain/device_tuning.js';
import { GraphBuilder } from '../../ir/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { Executable } from '../../runtime/index.js';
import { randomTensor } from '../helpers/random.js';

/** `--tune` end to end on the real adapter: measured, cached per adapter, compiled with, correct. */
describe('tuning on the device', () => {
  it('times the candidates of a matmul, caches the winner under this adapter, and compiles with it', async () => {
    const device = await getDefaultDevice();
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [128, 128]);
    const w = b.input('w', 'f32', [128, 96]);
    b.output(b.op('relu', [b.op('matmul', [x, w])]), 'y');
    const cachePath = join(mkdtempSync(join(tmpdir(), 'dawnflow-tuning-')), 'tuning.json');
    const progress: string[] = [];
    const options = await tunedCompileOptions(b.graph, device, { cachePath, onProgress: (line) => progress.push(line) });
    const table = JSON.parse(readFileSync(cachePath, 'utf8')) as { entries: Record<string, { config: Record<string, number>; ms: number }> };
    const keys = Object.keys(table.entries);
    expect(keys).toHaveLength(1);
    expect(keys[0].startsWith(`${device.adapterDescription}|vec4-matmul:`)).toBe(true);
    const winner = table.entries[keys[0]];
    expect(winner.ms).toBeGreaterThan(0);
    expect(progress.some((l) => l.startsWith('tuned vec4-matmul'))).toBe(true);

    const plan = compile(b.graph, options);
    expect(plan.kernels[0].workgroupSize.slice(0, 2)).toEqual([winner.config.wgX, winner.config.wgY]);
    const inputs = { x: randomTensor('f32', [128, 128], 1), w: randomTensor('f32', [128, 96], 2) };
    const exe = await Executable.load(plan, device);
    try {
      expectClose((await exe.run(inputs)).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-5 });
    } finally {
      exe.dispose();
    }

    // Cached: a second call measures nothing.
    progress.length = 0;
    await tunedCompileOptions(b.graph, device, { cachePath, onProgress: (line) => progress.push(line) });
    expect(progress).toEqual([]);
    // ~46 pipeline compiles: 30 s with a warm Mesa shader cache, 80 s cold under a parallel suite.
  }, 300_000);
});
