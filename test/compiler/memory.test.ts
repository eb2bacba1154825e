import { describe, expect, it } from 'vitest';
import { compileWithReport } from '../../compiler/compile.js';
import type { Lifetime } from '../../compiler/memory/arena.js';
import { liveLowerBound, planArena } from '../../compiler/memory/arena.js';
import { GraphBuilder } from '../../ir/index.js';
import { rng } from '../helpers/random.js';

/** No two buffers whose lifetimes overlap may share a byte. */
function expectNoOverlap(lifetimes: readonly Lifetime[], offsets: ReadonlyMap<number, number>, align: number): void {
  for (const a of lifetimes) {
    for (const b of lifetimes) {
      if (a.key >= b.key || a.end < b.start || b.end < a.start) continue;
      const [oa, ob] = [offsets.get(a.key)!, offsets.get(b.key)!];
      const [sa, sb] = [Math.ceil(Math.max(a.bytes, 4) / align) * align, Math.ceil(Math.max(b.bytes, 4) / align) * align];
      expect(oa + sa <= ob || ob + sb <= oa, `buffers ${a.key} and ${b.key} overlap`).toBe(true);
    }
  }
}

describe('arena packing', () => {
  it('reuses memory of dead buffers and respects alignment', () => {
    const lifetimes: Lifetime[] = [
      { key: 0, bytes: 1000, start: 0, end: 1 },
      { key: 1, bytes: 1000, start: 1, end: 2 },
      { key: 2, bytes: 1000, start: 2, end: 3 },
    ];
    const layout = planArena(lifetimes, 256);
    expect(layout.arenaBytes).toBe(2048);
    expect(layout.lowerBoundBytes).toBe(2048);
    expect(layout.naiveBytes).toBe(3072);
    for (const off of layout.offsets.values()) expect(off % 256).toBe(0);
    expectNoOverlap(lifetimes, layout.offsets, 256);
  });

  it('random lifetimes: never overlapping, close to the lower bound', () => {
    const r = rng(42);
    for (let trial = 0; trial < 50; trial++) {
      const lifetimes: Lifetime[] = [];
      for (let i = 0; i < 60; i++) {
        const start = Math.floor(r() * 40);
        lifetimes.push({ key: i, bytes: 4 + Math.floor(r() * 100000), start, end: start + Math.floor(r() * 10) });
      }
      const layout = planArena(lifetimes, 256);
      expectNoOverlap(lifetimes, layout.offsets, 256);
      expect(layout.lowerBoundBytes).toBe(liveLowerBound(lifetimes, 256));
      expect(layout.arenaBytes).toBeGreaterThanOrEqual(layout.lowerBoundBytes);
      expect(layout.arenaBytes).toBeLessThanOrEqual(1.5 * layout.lowerBoundBytes);
    }
  });

  it('a chain of layers needs two activations, not one per layer', () => {
    const b = new GraphBuilder();
    let h = b.input('x', 'f32', [64, 256]);
    for (let i = 0; i < 8; i++) {
      const m = b.op('reduceSum', [h], { axes: [1], keepdims: true });
      h = b.op('sub', [h, m]);
    }
    b.output(h, 'y');
    const { plan } = compileWithReport(b.graph);
    expect(plan.memory.arenaBytes).toBeLessThanOrEqual(1.1 * plan.memory.lowerBoundBytes);
    expect(plan.memory.arenaBytes).toBeLessThanOrEqual(0.5 * plan.memory.naiveBytes);
  });
});

describe('memory-aware schedule', () => {
  it('consumes each big temporary before making the next', () => {
    // The graph's own order makes three big values before reducing any of them.
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [256, 1024]);
    const bigs = [1, 2, 3].map((k) => b.op('exp', [b.op('mul', [x, b.op('fill', [], { shape: [1], value: k })])]));
    const reduced = bigs.map((big) =>
      b.op('add', [b.op('reduceSum', [big], { axes: [0, 1] }), b.op('reduceMax', [big], { axes: [0, 1] })]),
    );
    b.output(b.op('add', [b.op('add', [reduced[0], reduced[1]]), reduced[2]]), 'y');
    const big = 256 * 1024 * 4;
    const { report, plan } = compileWithReport(b.graph);
    expect(report.originalOrderPeakBytes).toBeGreaterThanOrEqual(4 * big);
    expect(report.schedulePeakBytes).toBeLessThan(2.1 * big);
    expect(plan.memory.arenaBytes).toBeLessThanOrEqual(1.1 * plan.memory.lowerBoundBytes);
  });
});
