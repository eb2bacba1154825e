import { expect } from 'vitest';
import { isFloat } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import type { GradCase } from './gradcheck.js';
import { caseInputs, caseName, gradientGraph } from './gradcheck.js';

/**
 * A case's backward graph on the GPU against the reference interpreter, both in f32. One graph
 * per case: lavapipe compiles each pipeline at its first dispatch, and one huge plan made of
 * every case was slower than the cases one by one.
 */
export async function checkBackwardOnGpu(c: GradCase): Promise<void> {
  const graph = gradientGraph(c);
  const feeds = Object.fromEntries(caseInputs(c, 7).map((t, k) => [`in${k}`, t]));
  const expected = interpret(graph, feeds).outputs;
  const actual = await runOnGpu(graph, feeds);
  let checked = 0;
  c.inputs.forEach((spec, k) => {
    if (!isFloat(spec.dtype ?? 'f32')) return;
    // Transcendentals on the GPU are a few ulp off, and sums of products reorder.
    expectClose(actual[`d${k}`], expected[`d${k}`], { rtol: 2e-4, atol: 2e-5 }, `${caseName(c)} input ${k}`);
    checked++;
  });
  expect(checked).toBeGreaterThan(0);
}
