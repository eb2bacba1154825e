import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { STAGE_NAMES } from '../../compiler/lowering/lowering.js';
import { PIPELINE } from '../../compiler/pipeline.js';
import { F32, modelBytes, node, tensor, valueInfo } from '../onnx/helpers/onnx_builder.js';

/** `dawnflow inspect <model> --print-ir-after <stage|pass>`, through the real binary and in process. */

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dawnflow-print-after-'));
const model = join(dir, 'model.onnx');

/** relu(x·w + b) · 1: simplifyAlgebra drops the multiplication by one. */
const MODEL = modelBytes({
  opset: 17,
  nodes: [node('MatMul', ['x', 'w'], ['h']), node('Add', ['h', 'b'], ['z']), node('Relu', ['z'], ['r']), node('Mul', ['r', 'one'], ['y'])],
  inputs: [valueInfo('x', F32, [2, 4])],
  outputs: [valueInfo('y', F32, [2, 3])],
  initializers: [tensor('w', [4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), tensor('b', [3], [0.1, -0.2, 0.3]), tensor('one', [], [1])],
});

beforeAll(() => writeFileSync(model, MODEL));

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { print: (l) => out.push(...l.split('\n')), info: (l) => err.push(...l.split('\n')) });
  return { code, out, err };
}

const headers = (lines: readonly string[]) => lines.filter((l) => l.startsWith('=== after '));

/** The lines printed after one header, up to the next. */
function section(lines: readonly string[], header: string, occurrence = 0): string[] {
  const starts = lines.flatMap((l, i) => (l === header ? [i] : []));
  const start = starts[occurrence];
  const next = lines.findIndex((l, i) => i > start && l.startsWith('=== after '));
  return lines.slice(start + 1, next < 0 ? undefined : next);
}

describe('dawnflow inspect --print-ir-after', () => {
  it('prints the graph after a graph pass (each time it runs) and the kernel groups after a stage (the binary)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/dawnflow.ts'), 'inspect', model, '--print-ir-after', 'simplifyAlgebra,partition'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/dawnflow:|\n\s+at /);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(headers(lines)).toEqual(["=== after graph pass 'simplifyAlgebra' ===", "=== after graph pass 'simplifyAlgebra' ===", "=== after stage 'partition' ==="]);
    const afterPass = section(lines, "=== after graph pass 'simplifyAlgebra' ===");
    expect(afterPass[0]).toMatch(/^graph .*\(%x: f32\[2,4\]\) \{$/);
    expect(afterPass.some((l) => / = relu\(/.test(l))).toBe(true);
    // The pass removed the multiplication by one.
    expect(afterPass.some((l) => / = mul\(/.test(l))).toBe(false);
    const groups = section(lines, "=== after stage 'partition' ===");
    // matmul + bias + relu fuse into one kernel.
    expect(groups[0]).toBe('1 kernel group, in graph order:');
    expect(groups[1]).toMatch(/^#0 matmul '.*', add '.*', relu '.*' \(anchor matmul '.*'\) -> %y: f32\[2,3\]$/);
  });

  it("'all' prints after every stage and graph pass, in order; with --plan the summary follows", async () => {
    const r = await cli('inspect', model, '--print-ir-after', 'all', '--plan');
    expect(r.code).toBe(0);
    // fuseAttention runs only when compile options ask for it.
    const passes = PIPELINE.filter((p) => p.name !== 'fuseAttention').map((p) => `=== after graph pass '${p.name}' ===`);
    const stages = STAGE_NAMES.map((s) => `=== after stage '${s}' ===`);
    expect(headers(r.out)).toEqual([...stages.slice(0, 2), ...passes, ...stages.slice(2)]);
    expect(section(r.out, "=== after stage 'assemble' ===")[0]).toMatch(/^plan '.*': 1 step, 1 kernel; arena \d+ B, constants \d+ B, states 0 B$/);
    expect(r.out).toContain('kernels: 1 (unfused: 3)');
  });

  it('an unknown name is a usage error listing the stages and passes', async () => {
    const r = await cli('inspect', model, '--print-ir-after', 'partition,fusion');
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toBe(
      `dawnflow: USAGE: --print-ir-after: unknown stage or graph pass 'fusion' (stages: ${STAGE_NAMES.join(', ')}; graph passes: ${[...new Set(PIPELINE.map((p) => p.name))].join(', ')}; or all)`,
    );
  });
});
