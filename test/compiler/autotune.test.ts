import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { autotune } from '../../compiler/tune/autotune.js';
import { emptyTable, loadTable, saveTable, tunedOptions } from '../../compiler/tune/tuning_table.js';
import { GraphBuilder } from '../../ir/index.js';
import type { Plan } from '../../ir/index.js';

function mlp(rows = 128) {
  const b = new GraphBuilder();
  const x = b.input('x', 'f32', [rows, 128]);
  const w = b.input('w', 'f32', [128, 96]);
  b.output(b.op('relu', [b.op('matmul', [x, w])]), 'y');
  return b.graph;
}

describe('autotuning', () => {
  it('keeps the fastest candidate per kernel signature, and the table drives codegen', async () => {
    const seen: string[] = [];
    // A deterministic stand-in for the device: "time" is a function of the workgroup shape.
    const measure = async (plan: Plan) => {
      const ws = plan.kernels[0].workgroupSize;
      seen.push(ws.join('x'));
      return Math.abs(ws[0] - 32) + Math.abs(ws[1] - 2) + 1;
    };
    const table = await autotune(mlp(), emptyTable(), { adapter: 'fake', maxInvocations: 256, measure });
    const entries = Object.entries(table.entries);
    expect(entries).toHaveLength(1);
    expect(entries[0][0]).toMatch(/^fake\|vec4-matmul:f32\[128,128\]xf32\[128,96\]/);
    expect(entries[0][1].ms).toBe(1);
    expect(new Set(seen).size).toBeGreaterThan(2);

    const plan = compile(mlp(), tunedOptions(table, 'fake'));
    expect(plan.kernels[0].workgroupSize).toEqual([32, 2, 1]);
    // Another adapter's table entries do not apply.
    expect(compile(mlp(), tunedOptions(table, 'other')).kernels[0].workgroupSize).not.toEqual([32, 2, 1]);

    // Known signatures are not measured again.
    seen.length = 0;
    await autotune(mlp(), table, { adapter: 'fake', maxInvocations: 256, measure });
    expect(seen).toEqual([]);
  });

  it('kernels too small for their tiles to matter keep the defaults, unmeasured', async () => {
    const seen: string[] = [];
    const measure = async (plan: Plan) => (seen.push(plan.name), 1);
    // 8·128·96 = 98,304 multiply-adds, under MIN_TUNED_MULTIPLY_ADDS.
    const table = await autotune(mlp(8), emptyTable(), { adapter: 'fake', maxInvocations: 256, measure });
    expect(table.entries).toEqual({});
    expect(seen).toEqual([]);
  });

  it('the cache round-trips through disk, and a corrupt cache reads as empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawnflow-tune-'));
    const path = join(dir, 'tuning.json');
    const table = { version: 1 as const, entries: { 'a|matmul:x': { config: { wgX: 8, wgY: 8, tm: 4, tn: 4, unrollK: 1 }, ms: 2 } } };
    saveTable(table, path);
    expect(loadTable(path)).toEqual(table);
    expect(loadTable(join(dir, 'missing.json'))).toEqual(emptyTable());
  });
});
