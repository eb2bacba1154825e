import { maxDims, normalizeAxis, subDims } from '../../../ir/index.js';
import { derivedAccess } from '../access.js';
import type { Expr } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import type { KernelBuilder, TensorAccess } from '../kernel_builder.js';
import { registerLowering } from '../lowering.js';

/**
 * topK and hardmax as scans along the axis, one output element at a time. The order matches
 * the reference: NaN above every number, equal values by index with the lower index first.
 * Values are compared through u32 keys that order like the values (NaN highest, -0 = +0): one
 * integer comparison per step, and no float compare a shader compiler may assume NaN-free.
 */

const ORDER_KEY_F32 = `fn order_key_f32(x: f32) -> u32 {
  let bits = bitcast<u32>(x);
  let magnitude = bits & 0x7fffffffu;
  let ordered = select(bits | 0x80000000u, ~bits, bits != magnitude);
  return select(select(ordered, 0x80000000u, magnitude == 0u), 0xffffffffu, magnitude > 0x7f800000u);
}
`;

/** A u32 whose unsigned order is the value order. */
function orderKey(b: KernelBuilder, v: Expr): Expr {
  switch (v.type) {
    case 'f32':
    case 'f16':
      return b.let(expr(`${b.helper('order_key_f32', ORDER_KEY_F32)}(${convert(v, 'f32').code})`, 'u32'), 'k');
    case 'i32':
      return b.let(expr(`(bitcast<u32>(${v.code}) ^ 0x80000000u)`, 'u32'), 'k');
    case 'u32':
      return v;
    default:
      throw new Error(`cannot order ${v.type} values`);
  }
}

let nextSelection = 0;

/**
 * The index (a u32 expression) of the element at position `rank` of the line through `coords`
 * along `axis`, in the order: `rank + 1` scans, each finding the first element after the
 * previous pick. Scans run by ascending index, so among equal keys the first seen stays best.
 */
function selectByRank(b: KernelBuilder, x: TensorAccess, coords: readonly string[], axis: number, rank: string, largest: boolean): Expr {
  const n = x.shape[axis];
  const none = b.size(n);
  const [above, below] = largest ? ['>', '<'] : ['<', '>'];
  const pickedKey = b.variable(literal(0, 'u32'), 'pk');
  const pickedIndex = b.variable(expr(none, 'u32'), 'pi');
  b.loop(expr(`${rank} + 1u`, 'u32'), () => {
    const bestKey = b.variable(literal(0, 'u32'), 'bk');
    const bestIndex = b.variable(expr(none, 'u32'), 'bi');
    b.loopDim(n, (i) => {
      const at = [...coords];
      at[axis] = i;
      const key = orderKey(b, x.at(at)).code;
      const pk = pickedKey.code;
      const afterPicked = `((${pickedIndex.code} == ${none}) | (${key} ${below} ${pk}) | ((${key} == ${pk}) & (${i} > ${pickedIndex.code})))`;
      const beforeBest = `((${bestIndex.code} == ${none}) | (${key} ${above} ${bestKey.code}))`;
      // Branch-free (`&`, `|` do not short-circuit): lavapipe unrolls short constant loops, and
      // straight-line code compiles much faster than a chain of branches.
      const take = b.let(expr(`${afterPicked} & ${beforeBest}`, 'bool'), 'take').code;
      b.line(`${bestKey.code} = select(${bestKey.code}, ${key}, ${take});`);
      b.line(`${bestIndex.code} = select(${bestIndex.code}, ${i}, ${take});`);
    });
    b.line(`${pickedKey.code} = ${bestKey.code};`);
    b.line(`${pickedIndex.code} = ${bestIndex.code};`);
  });
  // Always a valid index (rank < k <= n); the min only keeps the reads provably in bounds.
  return b.let(expr(`min(${pickedIndex.code}, ${b.size(maxDims(subDims(n, 1), 0))})`, 'u32'), 'sel');
}

registerLowering('topK', ({ b, node, inputs: [x], outputs: [values, indices], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const largest = node.attrs.largest as boolean;
  const id = nextSelection++;
  const selected = (coords: readonly string[]) => b.memo(`topk${id}(${coords.join(',')})`, () => selectByRank(b, x, coords, axis, coords[axis], largest));
  const valueAt = (coords: readonly string[]) => {
    const at = [...coords];
    at[axis] = selected(coords).code;
    return x.at(at);
  };
  return [
    { dtype: values.dtype, shape: values.shape, at: valueAt },
    { dtype: indices.dtype, shape: indices.shape, at: (coords) => b.let(expr(`i32(${selected(coords).code})`, 'i32')) },
  ];
});

registerLowering('hardmax', ({ b, node, inputs: [x], outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const id = nextSelection++;
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      // The first maximum of the line depends only on the coordinates off the axis.
      const line = [...coords];
      line[axis] = '0u';
      const first = b.memo(`hardmax${id}(${line.join(',')})`, () => selectByRank(b, x, line, axis, '0u', true));
      return expr(`select(${literal(0, out.dtype).code}, ${literal(1, out.dtype).code}, ${first.code} == ${coords[axis]})`, out.dtype);
    }),
  ];
});
