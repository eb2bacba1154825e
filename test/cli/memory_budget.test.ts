import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { PlanSummary } from '../../compiler/report/plan_report.js';

/**
 * `dawnflow inspect|compile <module.ts> --memory-budget <size>`: inspect reads DSL modules as
 * compile does (examples/remat.ts exports a TrainingSpec: its training step), and both plan
 * the arena within the budget or refuse it with the numbers.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const REMAT = join(ROOT, 'examples/remat.ts');

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { print: (l) => out.push(...l.split('\n')), info: (l) => err.push(...l.split('\n')) });
  return { code, out, err };
}

describe('--memory-budget', () => {
  let unconstrained = 0;

  it('inspect takes a DSL module: a TrainingSpec is its training step', async () => {
    const { code, out } = await cli('inspect', REMAT);
    expect(code).toBe(0);
    expect(out[0]).toBe(`module: ${REMAT} (graph 'train_step')`);
    expect(out).toContain('  x: f32[8,1,28,28]');
    expect(out).toContain('  loss: f32[]');
    expect(out.some((l) => /^ {2}conv x6$/.test(l))).toBe(true);
  });

  it('inspect --json reports the three memory numbers and recomputedKernels, within the budget (the binary)', () => {
    const json = (...extra: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/dawnflow.ts'), 'inspect', REMAT, '--json', ...extra], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as PlanSummary;
    };
    const free = json();
    unconstrained = free.memory.arenaBytes;
    expect(free.recomputedKernels).toBe(0);
    const budgetKiB = Math.floor(unconstrained / 2 / 1024);
    const tight = json('--memory-budget', `${budgetKiB}KiB`);
    expect(tight.memory.arenaBytes).toBeLessThanOrEqual(budgetKiB * 1024);
    expect(tight.memory.lowerBoundBytes).toBeLessThanOrEqual(tight.memory.arenaBytes);
    expect(tight.memory.naiveBytes).toBeGreaterThan(free.memory.naiveBytes);
    expect(tight.recomputedKernels).toBeGreaterThan(0);
    expect(tight.kernels).toBe(free.kernels + tight.recomputedKernels);
  }, 300_000);

  it('compile writes the budgeted plan; a budget too small is one OUT_OF_MEMORY line with both numbers; a bad size is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dawnflow-budget-'));
    const budget = 1900 * 1024;
    const ok = await cli('compile', REMAT, '-o', dir, '--memory-budget', '1900KiB');
    expect(ok.code, ok.err.join('\n')).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { memory: { arenaBytes: number; recomputedKernels: number } };
    expect(plan.memory.arenaBytes).toBeLessThanOrEqual(budget);
    expect(plan.memory.recomputedKernels).toBeGreaterThan(0);
    expect(ok.out.at(-1)).toMatch(/^memory budget 1945600 bytes \(1\.9 MiB\): arena \d+ bytes .*, \d+ kernels recomputed$/);

    const tooSmall = await cli('inspect', REMAT, '--memory-budget', '64KiB');
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.err).toHaveLength(1);
    expect(tooSmall.err[0]).toMatch(/^dawnflow: OUT_OF_MEMORY: memory budget 65536 bytes \(64\.0 KiB\) cannot be met: .* still needs \d+ bytes .* \(\d+ bytes .* without recomputation\)$/);

    const bad = await cli('compile', REMAT, '-o', dir, '--memory-budget', 'plenty');
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/^dawnflow: USAGE: compile: --memory-budget 'plenty' is not a size/);
  }, 300_000);
});
