import { expect } from 'vitest';
import type { Graph, HostTensor } from '../../ir/index.js';
import { bindShape, printGraph, verifyGraph } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

/** Random values for every input of `graph` (symbolic dims bound by `dims`). */
export function randomInputs(graph: Graph, seed: number, dims: Record<string, number> = {}, lo = -2, hi = 2): Record<string, HostTensor> {
  const bound = new Map(Object.entries(dims));
  const inputs: Record<string, HostTensor> = {};
  graph.inputs.forEach((v, i) => {
    inputs[v.name] = randomTensor(v.type.dtype, bindShape(v.type.shape, bound, v.name), seed * 101 + i, lo, hi);
  });
  return inputs;
}

/**
 * The pass's contract: the rewritten graph verifies, and the reference interpreter gives the
 * same outputs (and state updates) before and after on random inputs.
 */
export function expectSameResults(before: Graph, after: Graph, seeds: readonly number[] = [1, 2, 3], tol = { rtol: 1e-5, atol: 1e-6 }, dims: Record<string, number> = {}): void {
  verifyGraph(after);
  expect(after.outputs.map((v) => v.name)).toEqual(before.outputs.map((v) => v.name));
  for (const seed of seeds) {
    const inputs = randomInputs(before, seed, dims);
    const want = interpret(before, inputs);
    const got = interpret(after, inputs);
    want.outputList.forEach((t, i) => expectClose(got.outputList[i], t, tol, `output ${before.outputs[i].name} (seed ${seed})`));
    const wantStates = [...want.states.values()];
    const gotStates = [...got.states.values()];
    expect(gotStates.length).toBe(wantStates.length);
    wantStates.forEach((t, i) => expectClose(gotStates[i], t, tol, `state ${i} (seed ${seed})`));
  }
}

/** printGraph, with the common indentation of an inline template literal removed. */
export function text(strings: TemplateStringsArray): string {
  const lines = strings.raw.join('').split('\n');
  const body = lines.filter((l) => l.trim() !== '');
  const indent = Math.min(...body.map((l) => l.match(/^ */)![0].length));
  return body.map((l) => l.slice(indent)).join('\n');
}

export { printGraph };
