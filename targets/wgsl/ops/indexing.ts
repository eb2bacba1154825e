import type { Dim, DType } from '../../../ir/index.js';
import { maxDims, normalizeAxis, shapeNumel, subDims } from '../../../ir/index.js';
import type { ScatterReduction } from '../../../ir/ops/indexing.js';
import { derivedAccess } from '../access.js';
import type { Expr } from '../expr.js';
import { expr, literal } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';
import { unravel } from '../kernel_builder.js';
import { registerLowering } from '../lowering.js';

/**
 * Indexing ops as accesses. Gathers are pure index rewriting. Scatters have no atomics to lean
 * on, so they are computed gather-style: each output element scans the updates that could
 * target it and applies, in update order, those that do, which reproduces the sequential
 * semantics (with reduction 'none' the last update wins). Indices are never trusted: a negative
 * one wraps, then any index is clamped into its axis, so no kernel reads or writes out of bounds.
 */

const WRAP_CLAMP_INDEX = `fn wrap_clamp_index(i: i32, n: i32) -> u32 {
  let w = select(i, i + n, i < 0i);
  return u32(max(min(w, n - 1i), 0i));
}
`;

/** The u32 coordinate an index selects along an axis of size `dim`, always inside it. */
export function clampedIndex(b: KernelBuilder, index: Expr, dim: Dim): string {
  if (index.type === 'u32') return b.let(expr(`min(${index.code}, ${b.size(maxDims(subDims(dim, 1), 0))})`, 'u32'), 'x').code;
  const helper = b.helper('wrap_clamp_index', WRAP_CLAMP_INDEX);
  return b.let(expr(`${helper}(${index.code}, ${b.sizeAs(dim, 'i32').code})`, 'u32'), 'x').code;
}

function combine(reduction: ScatterReduction, current: Expr, update: Expr): string {
  switch (reduction) {
    case 'none':
      return update.code;
    case 'add':
      return `${current.code} + ${update.code}`;
    case 'mul':
      return `${current.code} * ${update.code}`;
    case 'max':
      return `max(${current.code}, ${update.code})`;
    case 'min':
      return `min(${current.code}, ${update.code})`;
    default:
      return reduction satisfies never;
  }
}

registerLowering('gatherElements', ({ b, node, inputs: [data, indices], outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, data.shape.length, where);
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const source = [...coords];
      source[axis] = clampedIndex(b, indices.at(coords), data.shape[axis]);
      return data.at(source);
    }),
  ];
});

registerLowering('gatherND', ({ b, node, inputs: [data, indices], outputs: [out] }) => {
  const batchDims = node.attrs.batchDims as number;
  const q = indices.shape.length;
  // The index tuple's length is static (checked by the op's shape inference).
  const m = indices.shape[q - 1] as number;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const tuple = coords.slice(0, q - 1);
      const selected = Array.from({ length: m }, (_, t) => clampedIndex(b, indices.at([...tuple, `${t}u`]), data.shape[batchDims + t]));
      return data.at([...coords.slice(0, batchDims), ...selected, ...coords.slice(q - 1)]);
    }),
  ];
});

/**
 * `acc = hit ? next : acc`, branch-free: lavapipe unrolls short constant loops, and
 * straight-line code compiles far faster than a chain of branches. Every read in `next` is in
 * bounds whether or not it hits.
 */
function applyIf(b: KernelBuilder, hit: string, acc: Expr, next: string): void {
  b.line(`${acc.code} = select(${acc.code}, ${next}, ${hit});`);
}

/** `if (cond) { body }`, or just the body when there is nothing to test. */
function guarded(b: KernelBuilder, conditions: readonly string[], body: () => void): void {
  if (conditions.length) b.block(`if (${conditions.join(' && ')})`, body);
  else body();
}

registerLowering('scatterElements', ({ b, node, inputs: [data, indices, updates], outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, data.shape.length, where);
  const reduction = node.attrs.reduction as ScatterReduction;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const acc = b.variable(data.at(coords), 'acc');
      // An update lands at its own coordinates off the axis, so only the updates along this
      // element's axis line can hit it, and only if that line exists in the (smaller) updates.
      const lineExists = updates.shape.flatMap((d, i) => (i !== axis && mayBeSmaller(d, data.shape[i]) ? [`${coords[i]} < ${b.size(d)}`] : []));
      guarded(b, lineExists, () => {
        b.loopDim(updates.shape[axis], (i) => {
          const at = [...coords];
          at[axis] = i;
          const target = clampedIndex(b, indices.at(at), data.shape[axis]);
          applyIf(b, `${target} == ${coords[axis]}`, acc, combine(reduction, acc, updates.at(at)));
        });
      });
      return acc;
    }),
  ];
});

registerLowering('scatterND', ({ b, node, inputs: [data, indices, updates], outputs: [out] }) => {
  const reduction = node.attrs.reduction as ScatterReduction;
  const tupleShape = indices.shape.slice(0, -1);
  const k = indices.shape[indices.shape.length - 1] as number;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const acc = b.variable(data.at(coords), 'acc');
      b.loopDim(shapeNumel(tupleShape), (p) => {
        const tuple = unravel(b, p, tupleShape);
        const hits = Array.from({ length: k }, (_, t) => `(${clampedIndex(b, indices.at([...tuple, `${t}u`]), data.shape[t])} == ${coords[t]})`);
        applyIf(b, hits.join(' & '), acc, combine(reduction, acc, updates.at([...tuple, ...coords.slice(k)])));
      });
      return acc;
    }),
  ];
});

registerLowering('oneHot', ({ b, node, inputs: [indices], outputs: [out] }) => {
  const depth = node.attrs.depth as number;
  const axis = normalizeAxis(node.attrs.axis as number, out.shape.length, '');
  const on = literal(node.attrs.onValue as number, out.dtype).code;
  const off = literal(node.attrs.offValue as number, out.dtype).code;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const raw = indices.at(coords.filter((_, i) => i !== axis));
      // Indices outside [-depth, depth) match no position: an all-off line, as in ONNX.
      const hot = raw.type === 'u32' ? `${raw.code} == ${coords[axis]}` : `select(${raw.code}, ${raw.code} + ${depth}i, ${raw.code} < 0i) == i32(${coords[axis]})`;
      return expr(`select(${off}, ${on}, ${hot})`, out.dtype);
    }),
  ];
});

/** Whether a dim of the updates may be smaller than data's (static: compared; symbolic: unless the same). */
function mayBeSmaller(d: Dim, of: Dim): boolean {
  return typeof d === 'number' && typeof of === 'number' ? d < of : d !== of;
}

function zeroOf(dtype: DType): string {
  return literal(0, dtype).code;
}

registerLowering('trilu', ({ b, node, inputs: [x], outputs: [out] }) => {
  const upper = node.attrs.upper as boolean;
  const k = literal(node.attrs.k as number, 'i32').code;
  const rank = x.shape.length;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const diagonal = `i32(${coords[rank - 1]}) - i32(${coords[rank - 2]})`;
      const keep = upper ? `${diagonal} >= ${k}` : `${diagonal} <= ${k}`;
      return expr(`select(${zeroOf(out.dtype)}, ${x.at(coords).code}, ${keep})`, out.dtype);
    }),
  ];
});
