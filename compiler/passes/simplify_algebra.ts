import type { DType, Graph, Node, Value } from '../../ir/index.js';
import { hostTensor, inferOp, isInteger, isStaticShape, shapesEqual } from '../../ir/index.js';
import { hasShape, inferredShape, isSplat, producedBy } from './match.js';
import type { RewriteContext } from './rewrite.js';
import { rewriteGraph } from './rewrite.js';

/**
 * Algebraic simplification, each rule exact under IEEE semantics unless noted:
 * - x+0, 0+x, x-0, x*1, 1*x, x/1, x^1 → x, when the constant does not broadcast x to a larger
 *   shape (x+0 may turn -0 into +0: the one sign-of-zero liberty taken);
 * - x*0 → zeros for integers only (for floats NaN*0 and inf*0 are NaN);
 * - x / c for a float constant c → x * (1/c) (within an ulp of the division; skipped where
 *   1/c is not a normal f32: c = 0, tiny c, NaN);
 * - identity → x; cast to x's own dtype → x; expand to x's own shape → x;
 * - transpose∘transpose → one transpose, dropped when the composition is the identity;
 * - chains of reshape/squeeze/unsqueeze → one reshape, or x when the chain restores x's shape
 *   (squeeze/unsqueeze pairs cancel);
 * Graph outputs are never replaced by another value (rewriteGraph keeps their nodes).
 *
 * Not done: folding a transpose into a matmul operand — the IR's matmul has no transpose flags.
 */
export function simplifyAlgebra(graph: Graph): Graph {
  return rewriteGraph(graph, simplifyNode);
}

function simplifyNode(node: Node, ctx: RewriteContext): Value[] | null {
  const inputs = node.inputs.map(ctx.map);
  switch (node.op) {
    case 'identity':
      return [inputs[0]];
    case 'cast':
      return inputs[0].type.dtype === node.attrs.to ? [inputs[0]] : null;
    case 'expand':
      return hasShape(inputs[0], inferredShape(node, inputs)) ? [inputs[0]] : null;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      return simplifyArithmetic(node, inputs, ctx);
    case 'transpose':
      return simplifyTranspose(node, inputs[0], ctx);
    case 'reshape':
    case 'squeeze':
    case 'unsqueeze':
      return simplifyView(node, inputs, ctx);
    default:
      return null;
  }
}

function simplifyArithmetic(node: Node, [a, b]: Value[], ctx: RewriteContext): Value[] | null {
  const shape = inferredShape(node, [a, b]);
  /** `x` when the other operand is the splat `neutral` and does not broadcast x. */
  const unless = (x: Value, other: Value, neutral: number) => isSplat(ctx, other, neutral) && hasShape(x, shape);
  const dtype = a.type.dtype;
  switch (node.op) {
    case 'add':
      if (unless(a, b, 0)) return [a];
      if (unless(b, a, 0)) return [b];
      return null;
    case 'sub':
      return unless(a, b, 0) ? [a] : null;
    case 'mul':
      if (unless(a, b, 1)) return [a];
      if (unless(b, a, 1)) return [b];
      if (isInteger(dtype) && (isSplat(ctx, a, 0) || isSplat(ctx, b, 0)) && isStaticShape(shape)) {
        return ctx.emit('fill', [], { shape: [...shape], value: 0, dtype }, node.name);
      }
      return null;
    case 'div':
      if (unless(a, b, 1)) return [a];
      return dtype === 'f32' ? divisionAsMultiplication(node, a, b, dtype, ctx) : null;
    case 'pow':
      return unless(a, b, 1) ? [a] : null;
    default:
      return null;
  }
}

const SMALLEST_NORMAL_F32 = 1.1754943508222875e-38;

function divisionAsMultiplication(node: Node, a: Value, b: Value, dtype: DType, ctx: RewriteContext): Value[] | null {
  const c = ctx.constantOf(b);
  if (!c) return null;
  const reciprocal = new Float32Array(c.data.length);
  for (let i = 0; i < c.data.length; i++) {
    const r = Math.fround(1 / Number(c.data[i]));
    if (!Number.isFinite(r) || Math.abs(r) < SMALLEST_NORMAL_F32) return null;
    reciprocal[i] = r;
  }
  const inverse = ctx.constant(hostTensor(dtype, c.shape, reciprocal), `${node.name}/reciprocal`);
  return ctx.emit('mul', [a, inverse], {}, node.name);
}

function permutation(node: Node, rank: number): number[] {
  const perm = node.attrs.perm as number[];
  return perm.length ? [...perm] : [...Array(rank).keys()].reverse();
}

const isIdentityPermutation = (perm: readonly number[]) => perm.every((p, i) => p === i);

function simplifyTranspose(node: Node, x: Value, ctx: RewriteContext): Value[] | null {
  const perm = permutation(node, x.type.shape.length);
  if (isIdentityPermutation(perm)) return [x];
  const inner = producedBy(x, 'transpose');
  if (!inner) return null;
  const source = inner.inputs[0];
  const innerPerm = permutation(inner, source.type.shape.length);
  // out[i] = x[perm[i]] = source[innerPerm[perm[i]]].
  const composed = perm.map((p) => innerPerm[p]);
  if (isIdentityPermutation(composed)) return [source];
  return ctx.emit('transpose', [source], { perm: composed }, node.name);
}

/** reshape, squeeze and unsqueeze keep the row-major order: any chain of them is one reshape. */
function simplifyView(node: Node, inputs: Value[], ctx: RewriteContext): Value[] | null {
  const x = inputs[0];
  const shape = inferredShape(node, inputs);
  if (hasShape(x, shape)) return [x];
  const inner = producedBy(x, 'reshape', 'squeeze', 'unsqueeze');
  if (!inner) return null;
  const source = inner.inputs[0];
  if (hasShape(source, shape)) return [source];
  // A symbolic target dim would survive specialization unbound: only static targets are made up.
  if (isStaticShape(shape)) return ctx.emit('reshape', [source], { shape: [...shape] }, node.name);
  if (node.op !== 'reshape') return null;
  try {
    const { outputs } = inferOp('reshape', [source.type], node.attrs, `reshape '${node.name}'`);
    return shapesEqual(outputs[0].shape, shape) ? ctx.emit('reshape', [source], node.attrs, node.name) : null;
  } catch {
    return null;
  }
}
