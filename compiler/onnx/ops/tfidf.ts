import type { Value } from '../../../ir/index.js';
import { ModelFormatError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { input, rank, staticDim } from './util.js';

/**
 * TfIdfVectorizer over integer sequences ([C] or [N, C]). The n-gram pool is fixed by the
 * attributes, so each count is a sum over positions of an AND of shifted comparisons: for an
 * n-gram (t0..tn−1) and skip s, position p matches when x[p + j·(s+1)] = tj for every j.
 * Unigrams are counted once per position; longer n-grams once per skip in 0..max_skip_count.
 */
function tfidf(node: OnnxNodeView, ctx: ImportContext): Value[] {
  let x = input(node, 0);
  if (x.type.dtype !== 'i32') throw new UnsupportedOpError(`${node.where}: only integer inputs are supported (strings are out of scope)`);
  const batched = rank(x) === 2;
  if (!batched) x = ctx.op('unsqueeze', [x], { axes: [0] });
  const length = staticDim(node, x, 1);
  const minGram = node.attrs.int('min_gram_length');
  const maxGram = node.attrs.int('max_gram_length');
  const maxSkip = node.attrs.int('max_skip_count', 0);
  const mode = node.attrs.string('mode');
  const starts = node.attrs.ints('ngram_counts');
  const outputIndex = node.attrs.ints('ngram_indexes');
  const pool = node.attrs.ints('pool_int64s', []);
  const weights = node.attrs.floats('weights', []);
  if (!['TF', 'IDF', 'TFIDF'].includes(mode)) throw new UnsupportedOpError(`${node.where}: mode '${mode}' is not supported`);

  // The pool's n-grams in order: level i holds (i+1)-grams from starts[i] to the next start.
  const grams: number[][] = [];
  starts.forEach((start, level) => {
    const end = level + 1 < starts.length ? starts[level + 1] : pool.length;
    for (let k = start; k + level + 1 <= end; k += level + 1) grams.push(pool.slice(k, k + level + 1));
  });
  if (grams.length !== outputIndex.length) throw new ModelFormatError(`${node.where}: ${grams.length} n-grams in the pool, ${outputIndex.length} ngram_indexes`);

  const batch = staticDim(node, x, 0);
  const zeros = () => ctx.op('fill', [], { shape: [batch], value: 0, dtype: 'f32' });
  const counts = grams.map((gram) => {
    const n = gram.length;
    if (n < minGram || n > maxGram) return zeros();
    let total: Value | undefined;
    for (let skip = 0; skip <= (n === 1 ? 0 : maxSkip); skip++) {
      const span = (n - 1) * (skip + 1);
      if (span >= length) break;
      let match: Value | undefined;
      gram.forEach((token, j) => {
        const shifted = ctx.op('slice', [x], { starts: [j * (skip + 1)], ends: [length - span + j * (skip + 1)], axes: [1], steps: [1] });
        const hit = ctx.op('equal', [shifted, ctx.scalar(token, 'i32')]);
        match = match ? ctx.op('and', [match, hit]) : hit;
      });
      const count = ctx.op('reduceSum', [ctx.op('cast', [match!], { to: 'f32' })], { axes: [1], keepdims: false });
      total = total ? ctx.op('add', [total, count]) : count;
    }
    return total ?? zeros();
  });

  const width = Math.max(...outputIndex) + 1;
  const columns: Value[] = [];
  for (let j = 0; j < width; j++) {
    const k = outputIndex.indexOf(j);
    let column = k < 0 ? zeros() : counts[k];
    if (k >= 0 && mode !== 'TF') {
      const weight = weights.length ? weights[k] : 1;
      if (mode === 'IDF') column = ctx.op('clip', [column, ctx.scalar(0, 'f32'), ctx.scalar(1, 'f32')]);
      column = ctx.op('mul', [column, ctx.scalar(weight, 'f32')]);
    }
    columns.push(ctx.op('unsqueeze', [column], { axes: [1] }));
  }
  const y = columns.length === 1 ? columns[0] : ctx.op('concat', columns, { axis: 1 });
  return [batched ? y : ctx.op('squeeze', [y], { axes: [0] })];
}

defineOnnxOps({
  TfIdfVectorizer: tfidf,
});
