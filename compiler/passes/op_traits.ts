/**
 * Ops whose result is not a function of their inputs alone as far as graph rewrites may assume:
 * random draws (ir/ops/random.ts, keyed by a state that advances every step). Never folded or
 * merged, even where today's counter-based kernels would make that safe.
 */
export function isRandomOp(op: string): boolean {
  return op.startsWith('random') || op === 'dropout' || op === 'bernoulli' || op === 'multinomial';
}
