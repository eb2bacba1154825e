import { normalizeAxis, shapeNumel } from '../../../ir/index.js';
import { derivedAccess, readBroadcast } from '../access.js';
import type { WgslType } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import { registerLowering } from '../lowering.js';
import { forEachCoord } from './reduce.js';

/**
 * layerNorm as loops inside each invocation: the row's mean, then its variance as the mean of
 * squared deviations (two passes, as the reference: no cancellation), then the element. The
 * two statistics are memoized per row, so a consumer reading several elements of one row
 * computes them once. Correct first; a workgroup-per-row kernel can replace it when it matters.
 */
let nextLayerNormId = 0;
registerLowering('layerNorm', ({ b, node, inputs: [x, scale, bias], outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const epsilon = node.attrs.epsilon as number;
  const sizes = x.shape.slice(axis);
  const count = shapeNumel(sizes);
  // f16 rows accumulate in f32.
  const t: WgslType = x.dtype === 'f16' ? 'f32' : (x.dtype as WgslType);
  const id = nextLayerNormId++;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const lead = coords.slice(0, axis);
      const row = (vars: readonly string[]) => convert(x.at([...lead, ...vars]), t);
      const rowKey = `layerNorm${id}(${lead.join(',')})`;
      const mean = b.memo(`${rowKey}.mean`, () => {
        const sum = b.variable(literal(0, t), 'rowSum');
        forEachCoord(b, sizes, (vars) => b.line(`${sum.code} = ${sum.code} + ${row(vars).code};`));
        return b.let(expr(`(${sum.code} / ${b.sizeAs(count, t).code})`, t), 'mean');
      });
      const invStd = b.memo(`${rowKey}.invStd`, () => {
        const squares = b.variable(literal(0, t), 'rowSquares');
        forEachCoord(b, sizes, (vars) => {
          const d = b.let(expr(`(${row(vars).code} - ${mean.code})`, t));
          b.line(`${squares.code} = ${squares.code} + ${d.code} * ${d.code};`);
        });
        const variance = `${squares.code} / ${b.sizeAs(count, t).code}`;
        return b.let(expr(`(${literal(1, t).code} / sqrt(${variance} + ${literal(epsilon, t).code}))`, t), 'invStd');
      });
      const normalizedCoords = coords.slice(axis);
      let y = `(${convert(x.at(coords), t).code} - ${mean.code}) * ${invStd.code}`;
      if (scale) y = `(${y}) * ${convert(readBroadcast(scale, normalizedCoords), t).code}`;
      if (bias) y = `(${y}) + ${convert(readBroadcast(bias, normalizedCoords), t).code}`;
      return convert(expr(`(${y})`, t), out.dtype);
    }),
  ];
});
