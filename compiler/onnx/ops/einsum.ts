import type { Dim, Value } from '../../../ir/index.js';
import { ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { checkHostElements, dimProduct, reshape, staticDim } from './util.js';

/**
 * Einsum lowered to transposes, reshapes, batched matmuls and sums. Each operand is a list of
 * labels (letters; '...' expands to labels of its own). The plan: take diagonals of repeated
 * labels, sum out labels no one else needs, then contract operands left to right — each
 * contraction is one matmul over [batch..., kept, contracted] layouts — and finally transpose
 * to the output order.
 */

interface Term {
  value: Value;
  labels: string[];
}

const ELLIPSIS = '…';

function parseTerm(node: OnnxNodeView, term: string, rank: number | undefined, ellipsisRank: number): string[] {
  const labels: string[] = [];
  const rest = term;
  const dots = rest.indexOf('...');
  if (dots >= 0 && rest.indexOf('...', dots + 1) >= 0) throw new ShapeError(`${node.where}: '${term}' has two ellipses`);
  for (let i = 0; i < rest.length; i++) {
    if (rest.startsWith('...', i)) {
      const n = rank === undefined ? ellipsisRank : rank - (rest.length - 3);
      if (n < 0) throw new ShapeError(`${node.where}: term '${term}' has more labels than its operand's rank ${rank}`);
      for (let k = ellipsisRank - n; k < ellipsisRank; k++) labels.push(`${ELLIPSIS}${k}`);
      i += 2;
      continue;
    }
    const c = rest[i];
    if (!/[A-Za-z]/.test(c)) throw new ShapeError(`${node.where}: invalid label '${c}' in '${term}'`);
    labels.push(c);
  }
  if (rank !== undefined && labels.length !== rank) throw new ShapeError(`${node.where}: term '${term}' has ${labels.length} labels for an operand of rank ${rank}`);
  return labels;
}

function permute(ctx: ImportContext, t: Term, order: readonly string[]): Term {
  const perm = order.map((l) => t.labels.indexOf(l));
  if (perm.every((p, i) => p === i)) return t;
  return { value: ctx.op('transpose', [t.value], { perm }), labels: [...order] };
}

function sumOut(ctx: ImportContext, t: Term, drop: (label: string) => boolean): Term {
  const axes = t.labels.flatMap((l, i) => (drop(l) ? [i] : []));
  if (axes.length === 0) return t;
  return { value: ctx.op('reduceSum', [t.value], { axes, keepdims: false }), labels: t.labels.filter((l) => !drop(l)) };
}

/** Collapses a repeated label into its diagonal: multiply by an identity mask, sum one copy. */
function diagonals(node: OnnxNodeView, ctx: ImportContext, t: Term): Term {
  for (;;) {
    const q = t.labels.findIndex((l, i) => t.labels.indexOf(l) !== i);
    if (q < 0) return t;
    const p = t.labels.indexOf(t.labels[q]);
    const d = staticDim(node, t.value, p);
    checkHostElements(node, d * d, 'the diagonal mask');
    const eye = new Float32Array(d * d);
    for (let i = 0; i < d; i++) eye[i * d + i] = 1;
    const mask = reshape(ctx, ctx.constant({ dtype: 'f32', shape: [d, d], data: eye }), t.labels.map((_, i) => (i === p || i === q ? d : 1)));
    const masked = ctx.op('mul', [t.value, ctx.op('cast', [mask], { to: t.value.type.dtype })]);
    t = { value: ctx.op('reduceSum', [masked], { axes: [q], keepdims: false }), labels: t.labels.filter((_, i) => i !== q) };
  }
}

function contract(node: OnnxNodeView, ctx: ImportContext, a: Term, b: Term, needed: ReadonlySet<string>): Term {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && needed.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !needed.has(l));
  const onlyA = a.labels.filter((l) => !inB.has(l));
  const onlyB = b.labels.filter((l) => !a.labels.includes(l));
  const dimsOf = (t: Term, labels: readonly string[]): Dim[] => labels.map((l) => t.value.type.shape[t.labels.indexOf(l)]);
  const at = permute(ctx, a, [...batch, ...onlyA, ...summed]);
  const bt = permute(ctx, b, [...batch, ...summed, ...onlyB]);
  const k = dimProduct(node, dimsOf(a, summed));
  const left = reshape(ctx, at.value, [...dimsOf(a, batch), dimProduct(node, dimsOf(a, onlyA)), k]);
  const right = reshape(ctx, bt.value, [...dimsOf(b, batch), k, dimProduct(node, dimsOf(b, onlyB))]);
  const product = ctx.op('matmul', [left, right]);
  const batchDims = product.type.shape.slice(0, batch.length);
  return { value: reshape(ctx, product, [...batchDims, ...dimsOf(a, onlyA), ...dimsOf(b, onlyB)]), labels: [...batch, ...onlyA, ...onlyB] };
}

export function einsum(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const equation = node.attrs.string('equation').replace(/\s+/g, '');
  const [lhs, rhs] = equation.split('->');
  const operands = node.inputs.filter((v): v is Value => v !== undefined);
  const termStrings = lhs.split(',');
  if (termStrings.length !== operands.length) throw new ShapeError(`${node.where}: equation '${equation}' has ${termStrings.length} terms for ${operands.length} inputs`);
  const ellipsisRank = Math.max(0, ...termStrings.map((s, i) => (s.includes('...') ? operands[i].type.shape.length - (s.length - 3) : 0)));
  let terms: Term[] = termStrings.map((s, i) => ({ value: operands[i], labels: parseTerm(node, s, operands[i].type.shape.length, ellipsisRank) }));

  let output: string[];
  if (rhs !== undefined) output = parseTerm(node, rhs, undefined, ellipsisRank);
  else {
    const counts = new Map<string, number>();
    for (const t of terms) for (const l of t.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const ellipsis = Array.from({ length: ellipsisRank }, (_, k) => `${ELLIPSIS}${k}`);
    output = [...ellipsis, ...[...counts].filter(([l, c]) => c === 1 && !l.startsWith(ELLIPSIS)).map(([l]) => l).sort()];
  }
  for (const l of output) {
    if (!terms.some((t) => t.labels.includes(l))) throw new ShapeError(`${node.where}: output label '${l}' appears in no input`);
  }
  if (new Set(output).size !== output.length) throw new UnsupportedOpError(`${node.where}: repeated output labels in '${equation}'`);

  terms = terms.map((t) => diagonals(node, ctx, t));
  const outputSet = new Set(output);
  terms = terms.map((t, i) => sumOut(ctx, t, (l) => !outputSet.has(l) && !terms.some((o, j) => j !== i && o.labels.includes(l))));
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) {
    const needed = new Set([...output, ...terms.slice(i + 1).flatMap((t) => t.labels)]);
    acc = contract(node, ctx, acc, terms[i], needed);
  }
  acc = sumOut(ctx, acc, (l) => !outputSet.has(l));
  const result = permute(ctx, acc, output).value;
  return [result === operands[0] ? ctx.op('identity', [result]) : result];
}
