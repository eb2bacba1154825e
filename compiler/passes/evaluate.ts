import type { Attrs, HostTensor } from '../../ir/index.js';
import { GraphBuilder, inferOp, isStaticShape, numel } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { hasRef } from '../../targets/reference/kernels.js';
import { isRandomOp } from './op_traits.js';

/**
 * The one constant evaluator: the importer folds ONNX shape arithmetic with it as it imports,
 * foldConstants and foldBatchNorm fold graphs with it. An op is computed on host tensors by
 * the reference interpreter: the same semantics the graph has at run time (integer wrap, NaN
 * rules, rounding to the dtype after the op), so a folded constant equals what the kernel
 * would have produced, up to the kernel's own accuracy.
 */
export function evaluateOp(op: string, inputs: readonly HostTensor[], attrs: Attrs, name = op): HostTensor[] {
  const b = new GraphBuilder(`fold ${name}`);
  const values = inputs.map((t, i) => b.constant(t, `in${i}`));
  for (const v of b.apply(op, values, attrs, name)) b.output(v);
  return interpret(b.graph, {}).outputList;
}

/** How large a folded result may be: past these, the node stays computed at run time. */
export interface FoldLimits {
  /** Results with more elements than this stay computed at run time (weights would balloon). */
  readonly maxElements: number;
  /**
   * Results larger than their inputs together (fill, range, expand, tile, a scalar broadcast)
   * fold only up to this many elements: computed, they fuse into their consumer as an
   * expression and cost no memory; folded, they are weights to store, upload and read.
   * Absent: only maxElements applies.
   */
  readonly maxGrownElements?: number;
}

/**
 * An op on constant inputs, evaluated at compile time where that is sound and worth it, else
 * null: random ops (their key is state), ops the interpreter has no kernel for, f16 (the host
 * holds f16 as raw bits the interpreter does not compute on), symbolic output shapes, and
 * results past the limits. What the op itself rejects (attributes, shapes, an index out of
 * range) throws its typed error: the importer reports it against the model; foldConstants
 * keeps the node so that it fails at run time naming it.
 */
export function foldOp(op: string, inputs: readonly HostTensor[], attrs: Attrs, name: string, limits: FoldLimits): HostTensor[] | null {
  if (isRandomOp(op) || !hasRef(op) || inputs.some((t) => t.dtype === 'f16')) return null;
  const { outputs } = inferOp(op, inputs.map((t) => ({ dtype: t.dtype, shape: t.shape })), attrs, `${op} '${name}'`);
  if (outputs.some((t) => t.dtype === 'f16' || !isStaticShape(t.shape))) return null;
  const produced = outputs.reduce((n, t) => n + numel(t.shape as number[]), 0);
  const consumed = inputs.reduce((n, t) => n + t.data.length, 0);
  if (produced > limits.maxElements) return null;
  if (limits.maxGrownElements !== undefined && produced > consumed && produced > limits.maxGrownElements) return null;
  return evaluateOp(op, inputs, attrs, name);
}
