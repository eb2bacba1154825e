import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { specialize } from '../../compiler/passes/specialize.js';
import type { Graph } from '../../ir/index.js';
import { bindPlan, GraphBuilder } from '../../ir/index.js';
import { symbolicCnn, symbolicMlp, symbolicTransformer } from '../symbolic/models.js';

/**
 * A symbolic plan's arena is packed for each binding of its dims by the compiler's own packer:
 * at every size it keeps the quality of a static compile (arena ≤ 1.10 × the lower bound, the
 * peak of bytes live at one step), and it needs no more than the plan compiled for that size.
 */

const LIMITS = { minStorageBufferOffsetAlignment: 256 };

function check(graph: Graph, bindings: readonly Record<string, number>[]): void {
  const plan = compile(graph, { limits: LIMITS });
  expect(plan.symbolic).toBeDefined();
  for (const dims of bindings) {
    const bound = bindPlan(plan, dims, { maxWorkgroupsPerDimension: 65535 });
    const { arenaBytes, lowerBoundBytes, naiveBytes } = bound.memory;
    const what = `${graph.name} at ${JSON.stringify(dims)}`;
    expect(arenaBytes, what).toBeGreaterThanOrEqual(lowerBoundBytes);
    expect(arenaBytes, what).toBeLessThanOrEqual(1.1 * lowerBoundBytes);
    expect(arenaBytes, what).toBeLessThan(naiveBytes);
    // Tensors in the arena that live at once never share bytes.
    for (const l of plan.symbolic!.arena) {
      const a = bound.tensors[l.tensor];
      for (const m of plan.symbolic!.arena) {
        if (m.tensor <= l.tensor || m.start > l.end || l.start > m.end) continue;
        const b = bound.tensors[m.tensor];
        if (a.bytes === 0 || b.bytes === 0) continue;
        const apart = a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset;
        expect(apart, `${what}: '${a.name}' and '${b.name}' overlap while both live`).toBe(true);
      }
    }
    // Against the plan compiled for exactly this size (same schedule rule): within 10%.
    const fixed = compile(specialize(graph, new Map(Object.entries(dims))), { limits: LIMITS });
    expect(arenaBytes, `${what} vs static`).toBeLessThanOrEqual(1.1 * fixed.memory.arenaBytes);
  }
}

describe('symbolic arena at every size', () => {
  it('an MLP at batch 1, 7 and 1000', () => check(symbolicMlp('N'), [{ N: 1 }, { N: 7 }, { N: 1000 }]));

  it('a CNN at 1×1, 13×7 and 96×64', () => check(symbolicCnn('H', 'W'), [{ H: 1, W: 1 }, { H: 13, W: 7 }, { H: 96, W: 64 }]));

  it('a transformer block at 1, 13 and 256 tokens', () => check(symbolicTransformer('S'), [{ S: 1 }, { S: 13 }, { S: 256 }]));

  it('a chain of layers needs two activations at any batch', () => {
    const b = new GraphBuilder('chain');
    let h = b.input('x', 'f32', ['N', 256]);
    for (let i = 0; i < 8; i++) h = b.op('sub', [h, b.op('reduceSum', [h], { axes: [1], keepdims: true })]);
    b.output(h, 'y');
    const plan = compile(b.graph, { limits: LIMITS });
    for (const n of [1, 31, 640]) {
      const { memory } = bindPlan(plan, { N: n }, { maxWorkgroupsPerDimension: 65535 });
      expect(memory.arenaBytes).toBeLessThanOrEqual(1.1 * memory.lowerBoundBytes);
      // At one row every tensor is under the 256-byte slot: only larger batches show the reuse.
      if (n > 1) expect(memory.arenaBytes).toBeLessThanOrEqual(0.5 * memory.naiveBytes);
    }
  });

  it('formulas in the plan: bytes of the arena buffers as expressions of the dims', () => {
    const plan = compile(symbolicMlp('N'), { limits: LIMITS });
    const bytes = plan.symbolic!.arena.map((l) => l.bytes);
    expect(bytes).toContain('96*N');
    expect(bytes.every((b) => typeof b === 'string')).toBe(true);
  });
});
