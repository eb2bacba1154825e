import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectCommand } from '../../bin/commands/inspect.js';
import { LIGHT_MODELS, LIGHT_MODELS_DIR } from '../../bench/models/light_models.js';

const SQUEEZENET = join(LIGHT_MODELS_DIR, LIGHT_MODELS.squeezenet.file);

function capture() {
  const lines: string[] = [];
  return { io: { print: (l: string) => lines.push(l), info: () => {} }, lines };
}

describe('dawnflow inspect --plan / --json / --svg', () => {
  it('--json reports kernels after and without fusion and the three memory numbers', async () => {
    const { io, lines } = capture();
    await inspectCommand([SQUEEZENET, '--json'], io);
    const summary = JSON.parse(lines.join('\n')) as { kernels: number; kernelsUnfused: number; memory: { naiveBytes: number; arenaBytes: number; lowerBoundBytes: number }; groups: { ops: string[] }[] };
    expect(summary.kernels).toBe(summary.groups.length);
    expect(summary.kernels).toBeLessThan(summary.kernelsUnfused);
    expect(summary.memory.arenaBytes).toBeGreaterThanOrEqual(summary.memory.lowerBoundBytes);
    expect(summary.memory.arenaBytes).toBeLessThanOrEqual(1.1 * summary.memory.lowerBoundBytes);
    expect(summary.memory.arenaBytes).toBeLessThan(summary.memory.naiveBytes);
    // Squeezenet's convolutions carry their ReLU as an epilogue somewhere.
    expect(summary.groups.some((g) => g.ops.join() === 'conv,relu')).toBe(true);
  });

  it('--plan prints the schedule and memory; --svg draws kernels and the timeline', async () => {
    const { io, lines } = capture();
    const svg = join(mkdtempSync(join(tmpdir(), 'dawnflow-svg-')), 'plan.svg');
    await inspectCommand([SQUEEZENET, '--plan', '--svg', svg], io);
    const text = lines.join('\n');
    expect(text).toMatch(/^kernels: \d+ \(unfused: \d+\)/m);
    expect(text).toMatch(/planned arena: +[\d.]+ MiB/);
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toMatch(/^<svg /);
    expect(picture).toContain('memory timeline');
    expect((picture.match(/<rect x=/g) ?? []).length).toBeGreaterThan(10);
  });
});
