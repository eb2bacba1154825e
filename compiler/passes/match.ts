import type { Node, Shape, Value } from '../../ir/index.js';
import { inferOp, shapesEqual } from '../../ir/index.js';
import { attrsKey } from './attr_key.js';
import { isRandomOp } from './op_traits.js';
import type { RewriteContext } from './rewrite.js';

/**
 * Small matching helpers over the NEW graph of a rewrite: rules look at their inputs' producers
 * to recognize chains and patterns.
 */

/** The node producing `v` when its op is one of `ops`. */
export function producedBy(v: Value, ...ops: string[]): Node | undefined {
  const p = v.producer;
  return p && ops.includes(p.op) ? p : undefined;
}

/**
 * The single value every element of `v` holds, when `v` is a constant (any shape) or a `fill`;
 * f16 constants are raw bits on the host and never read as numbers.
 */
export function splatValue(ctx: RewriteContext, v: Value): number | undefined {
  const fill = producedBy(v, 'fill');
  if (fill) return fill.attrs.value as number;
  const t = ctx.constantOf(v);
  if (!t || t.dtype === 'f16' || t.data.length === 0) return undefined;
  const first = Number(t.data[0]);
  for (let i = 1; i < t.data.length; i++) if (!Object.is(Number(t.data[i]), first)) return undefined;
  return first;
}

/** Whether a splat holds `value` (a bool constant holds 0/1). */
export function isSplat(ctx: RewriteContext, v: Value, value: number): boolean {
  return splatValue(ctx, v) === value;
}

export function near(actual: number | undefined, expected: number, rtol = 1e-4): boolean {
  return actual !== undefined && Math.abs(actual - expected) <= rtol * Math.abs(expected);
}

/** The output types `node` would have on the mapped inputs (the old graph's may be stale). */
export function inferredShape(node: Node, inputs: readonly Value[]): Shape {
  return inferOp(node.op, inputs.map((v) => v.type), node.attrs, `${node.op} '${node.name}'`).outputs[0].shape;
}

/** Whether replacing a result of `shape` by `v` keeps the shape. */
export function hasShape(v: Value, shape: Shape): boolean {
  return shapesEqual(v.type.shape, shape);
}

/**
 * Whether two values surely hold the same tensor: the same value, or the same op with the same
 * attributes over values that surely match (exporters repeat `x - mean` rather than reuse it).
 */
export function sameValue(a: Value, b: Value, depth = 4): boolean {
  if (a === b) return true;
  const pa = a.producer;
  const pb = b.producer;
  if (!pa || !pb || depth === 0 || pa.op !== pb.op || pa.outputs.length !== 1 || pb.outputs.length !== 1) return false;
  if (isRandomOp(pa.op) || pa.inputs.length !== pb.inputs.length) return false;
  return attrsKey(pa.attrs) === attrsKey(pb.attrs) && pa.inputs.every((v, i) => sameValue(v, pb.inputs[i], depth - 1));
}
