import { derivedAccess, readBroadcast } from '../access.js';
import type { Expr, WgslType } from '../expr.js';
import { convert, expr, literal, scalarType } from '../expr.js';
import type { KernelBuilder, TensorAccess } from '../kernel_builder.js';
import { registerLowering } from '../lowering.js';

/**
 * attention(q, k, v, scale[, mask]) per output element, the simple way: the row's max score and
 * sum of exponentials (memoized per row, like softmax's statistics), then the weighted sum of
 * v's column. Each score is a loop over the head dim, recomputed in each pass. The fast kernel
 * is the attention template; this is the always-correct fallback and what fuses like any access.
 */

/** Floats accumulate in f32 (f16 included). */
const ACC: WgslType = 'f32';

let nextAttentionId = 0;

/** The score of query `row` against key `j`: scale · Σ_c q[row, c] · k[c, j] (+ mask). */
export function attentionScore(b: KernelBuilder, operands: AttentionOperands, batch: readonly string[], row: string, j: string): Expr {
  const { q, k, scale, mask } = operands;
  const d = q.shape[q.shape.length - 1];
  const dot = b.variable(literal(0, ACC), 'dot');
  b.loopDim(d, (c) => b.line(`${dot.code} = ${dot.code} + ${convert(q.at([...batch, row, c]), ACC).code} * ${convert(k.at([...batch, c, j]), ACC).code};`));
  const scaled = `${dot.code} * ${scaleOf(scale).code}`;
  return b.let(expr(mask ? `${scaled} + ${convert(readBroadcast(mask, [...batch, row, j]), ACC).code}` : scaled, ACC), 's');
}

export interface AttentionOperands {
  readonly q: TensorAccess;
  readonly k: TensorAccess;
  readonly v: TensorAccess;
  readonly scale: TensorAccess;
  readonly mask?: TensorAccess;
}

/** The scale, read once per kernel scope (accesses memoize). */
export function scaleOf(scale: TensorAccess): Expr {
  return convert(scale.at(scale.shape.map(() => '0u')), ACC);
}

registerLowering('attention', ({ b, inputs: [q, k, v, scale, mask], outputs: [out] }) => {
  const operands: AttentionOperands = { q, k, v, scale, ...(mask ? { mask } : {}) };
  const rank = q.shape.length;
  const keys = k.shape[rank - 1];
  const id = nextAttentionId++;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      // No keys: softmax over an empty row, times an empty v, is a zero.
      if (keys === 0) return literal(0, scalarType(out.dtype));
      const batch = coords.slice(0, rank - 2);
      const [row, col] = coords.slice(rank - 2);
      const rowKey = `attention${id}(${[...batch, row].join(',')})`;
      const max = b.memo(`${rowKey}.max`, () => {
        const m = b.variable(literal(-Infinity, ACC), 'rowMax');
        b.loopDim(keys, (j) => b.line(`${m.code} = max(${m.code}, ${attentionScore(b, operands, batch, row, j).code});`));
        return m;
      });
      const sum = b.memo(`${rowKey}.sum`, () => {
        const s = b.variable(literal(0, ACC), 'rowSum');
        b.loopDim(keys, (j) => b.line(`${s.code} = ${s.code} + exp(${attentionScore(b, operands, batch, row, j).code} - ${max.code});`));
        return s;
      });
      const acc = b.variable(literal(0, ACC), 'acc');
      b.loopDim(keys, (j) => {
        const p = `exp(${attentionScore(b, operands, batch, row, j).code} - ${max.code})`;
        b.line(`${acc.code} = ${acc.code} + ${p} * ${convert(v.at([...batch, j, col]), ACC).code};`);
      });
      return convert(expr(`(${acc.code} / ${sum.code})`, ACC), scalarType(out.dtype));
    }),
  ];
});
