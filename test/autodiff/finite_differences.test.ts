import { describe, expect, it } from 'vitest';
import { allOps } from '../../ir/index.js';
import { hasGrad, hasNoGradient } from '../../compiler/autodiff/index.js';
import { CASES } from './cases.js';
import { caseName, checkGradients } from './gradcheck.js';

describe('gradient rules', () => {
  it('cover every differentiable op of the registry, each with a finite-difference case', () => {
    const differentiable = allOps().filter((d) => !hasNoGradient(d.name)).map((d) => d.name);
    const withoutRule = differentiable.filter((op) => !hasGrad(op));
    const withoutCase = differentiable.filter((op) => !CASES.some((c) => c.op === op));
    expect(withoutRule, 'differentiable ops without a gradient rule').toEqual([]);
    expect(withoutCase, 'differentiable ops without a gradient check').toEqual([]);
  });

  for (const c of CASES) {
    it(`${caseName(c)}: autodiff equals central differences in float64`, () => {
      const bad = checkGradients(c);
      expect(bad.slice(0, 3), `${bad.length} mismatching elements`).toEqual([]);
    });
  }
});
