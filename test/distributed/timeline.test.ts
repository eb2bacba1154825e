import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDataParallel } from '../../compiler/parallel/data_parallel.js';
import { fitInProcess } from '../../runtime/distributed/fit_in_process.js';
import { Timeline } from '../../runtime/distributed/timeline.js';
import { renderTimeline } from '../../runtime/distributed/timeline_svg.js';
import { dataset, mlpSpec } from './fixtures.js';

describe('timeline', () => {
  it('sums a step: compute, transfer, the transfer hidden under compute, idle', () => {
    const t = new Timeline(true);
    t.step(0, 1000, 1100);
    // Device busy 1000–1040 and 1050–1080; transfers 1030–1060 (20 ms under compute) and 1090–1095.
    t.compute(0, 'grads', 1000, 1040, { startsMs: [0, 50], endsMs: [40, 80] }, ['a', 'b']);
    t.events.push({ kind: 'transfer', step: 0, start: 1030, end: 1060, label: 'bucket 0', bytes: 100 }, { kind: 'transfer', step: 0, start: 1090, end: 1095, label: 'status', bytes: 24 });
    const [s] = t.stepTimes();
    expect(s).toEqual({ step: 0, wallMs: 100, computeMs: 70, transferMs: 35, hiddenTransferMs: 20, idleMs: 30, transferBytes: 124 });
    t.forget(0);
    expect(t.stepTimes()).toEqual([]);
  });

  it('draws each rank a device lane and a transfer lane, to scale', () => {
    const svg = renderTimeline([
      { rank: 0, events: [{ kind: 'compute', step: 3, start: 0, end: 50, label: 'grads' }, { kind: 'transfer', step: 3, start: 40, end: 100, label: 'bucket 0', bytes: 8 }] },
      { rank: 1, events: [{ kind: 'compute', step: 3, start: 10, end: 60, label: 'grads' }] },
    ], { width: 290 });
    expect(svg).toContain('rank 0 device');
    expect(svg).toContain('rank 1 device');
    // 180 px (290 − 90 of labels − 20 of margin) for the 100 ms shown: rank 0 computes 0–50 ms, transfers 40–100 ms.
    expect(svg).toContain('<rect x="90.00" y="41" width="90.00" height="14" fill="#3b78c4"><title>step 3: grads 50.00 ms</title></rect>');
    expect(svg).toContain('<rect x="162.00" y="57" width="108.00" height="14" fill="#e08a1e"><title>step 3: bucket 0 60.00 ms, 8 bytes</title></rect>');
  });

  it('a data-parallel fit records every step of every rank and writes the SVG', async () => {
    const program = compileDataParallel(mlpSpec(1), { devices: 2, bucketBytes: 512 });
    const svg = join(mkdtempSync(join(tmpdir(), 'dawnflow-timeline-')), 'timeline.svg');
    const result = await fitInProcess(program, dataset, { epochs: 1, seed: 1, maxSteps: 4, timelineSvg: svg });
    const bucketBytes = program.buckets.reduce((s, b) => s + 4 * b.elements, 0);
    for (const rank of result.ranks) {
      expect(rank.stepTimes.map((s) => s.step)).toEqual([0, 1, 2, 3]);
      for (const s of rank.stepTimes) {
        // Every bucket and the status vector (2 ranks + loss + correct) went through the communicator.
        expect(s.transferBytes).toBe(bucketBytes + 4 * 4);
        expect(s.computeMs).toBeGreaterThan(0);
        expect(s.transferMs).toBeGreaterThan(0);
        expect(s.hiddenTransferMs).toBeLessThanOrEqual(s.transferMs + 1e-9);
      }
      const labels = new Set(rank.timeline.map((e) => e.label.split(':')[0]));
      expect([...labels].sort()).toEqual([...program.buckets.map((_, i) => `all-reduce bucket ${i}`), 'apply', 'grads', 'status'].sort());
    }
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg /);
    expect(text).toContain('rank 1 device');
    expect((text.match(/fill="#3b78c4"/g) ?? []).length).toBeGreaterThan(0);
  }, 600_000);
});
