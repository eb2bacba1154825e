import { describe, expect, it } from 'vitest';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { philox4x32 } from '../../ir/philox.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';

const hex = (words: readonly number[]) => words.map((w) => w.toString(16).padStart(8, '0')).join(' ');

function randomGraph(op: 'randomBits' | 'randomUniform', shape: number[], salt = 0, extra: Record<string, number> = {}) {
  const b = new GraphBuilder();
  const key = b.input('key', 'u32', [2]);
  b.output(b.op(op, [key], { shape, salt, ...extra }), 'r');
  return b.graph;
}

describe('Philox-4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });

  it('gives the same bits on the GPU as in the reference, whatever the shape', async () => {
    for (const [shape, salt] of [[[1], 0], [[3, 17], 5], [[1025], 1], [[2, 1, 513], 0xffffffff]] as const) {
      const graph = randomGraph('randomBits', [...shape], salt);
      const key = hostTensor('u32', [2], [12345, 0xdeadbeef]);
      const expected = interpret(graph, { key }).outputs.r;
      const actual = await runOnGpu(graph, { key });
      expectClose(actual.r, expected, undefined, `randomBits ${shape}`);
    }
  });

  it('element i does not depend on the tensor shape', () => {
    const key = hostTensor('u32', [2], [7, 9]);
    const flat = interpret(randomGraph('randomBits', [12]), { key }).outputs.r.data;
    const square = interpret(randomGraph('randomBits', [3, 4]), { key }).outputs.r.data;
    expect([...square]).toEqual([...flat]);
  });

  it('uniforms are exact on both sides and look uniform', async () => {
    const graph = randomGraph('randomUniform', [4096], 3);
    const key = hostTensor('u32', [2], [1, 2]);
    const expected = interpret(graph, { key }).outputs.r;
    const actual = await runOnGpu(graph, { key });
    expectClose(actual.r, expected, { rtol: 0, atol: 0 }, 'randomUniform');
    const values = [...expected.data];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    // Standard error of the mean of 4096 uniforms is 0.0045: 5 sigma.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.023);
    const otherKey = interpret(graph, { key: hostTensor('u32', [2], [1, 3]) }).outputs.r.data;
    expect(otherKey.some((v, i) => v !== expected.data[i])).toBe(true);
  });

  it('maps to [low, high) within one ulp of the reference', async () => {
    const graph = randomGraph('randomUniform', [300], 0, { low: -3, high: 5 });
    const key = hostTensor('u32', [2], [99, 0]);
    const expected = interpret(graph, { key }).outputs.r;
    const actual = await runOnGpu(graph, { key });
    expectClose(actual.r, expected, { rtol: 2 ** -23, atol: 0 }, 'randomUniform low/high');
    expect(Math.min(...expected.data)).toBeGreaterThanOrEqual(-3);
  });
});
