import type { Attrs, HostTensor } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';

/**
 * Computes one op on host tensors with the reference interpreter: the same semantics the
 * graph has at run time (integer wrap, NaN rules, rounding to the dtype after the op), so a
 * folded constant equals what the kernel would have produced, up to the kernel's own accuracy.
 */
export function evaluateOp(op: string, inputs: readonly HostTensor[], attrs: Attrs, name = op): HostTensor[] {
  const b = new GraphBuilder(`fold ${name}`);
  const values = inputs.map((t, i) => b.constant(t, `in${i}`));
  for (const v of b.apply(op, values, attrs, name)) b.output(v);
  return interpret(b.graph, {}).outputList;
}
