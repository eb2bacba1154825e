import type { Dim, DType } from '../../../ir/index.js';
import { normalizeAxis, reducedAxes, REDUCE_OPS, shapeNumel, subDims } from '../../../ir/index.js';
import { derivedAccess } from '../access.js';
import type { Expr, WgslType } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';
import { registerLowering } from '../lowering.js';

/**
 * Reductions, arg-reductions, softmax and cumSum as loops inside one invocation: each output
 * element loops over the coordinates it reduces, reading its input's access inside the loop
 * (so a fused producer is evaluated per element, in the loop's scope). Simple and correct; a
 * workgroup-cooperative template can replace the hot cases later. Semantics (integer wrap,
 * truncating integer mean, empty sets, NaN) match targets/reference/ops/reduce.ts.
 */

/** f16 tensors reduce in f32 (exact for max/min, more accurate for sums); others in their own type. */
function accumulatorType(dtype: DType): WgslType {
  return dtype === 'f16' ? 'f32' : (dtype as WgslType);
}

const isFloatType = (t: WgslType) => t === 'f32' || t === 'f16';

// A bit test rather than x != x: shader compilers may assume floats are never NaN.
const IS_NAN_F32 = `fn is_nan_f32(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}
`;

function nanTest(b: KernelBuilder, e: Expr): string {
  if (e.type === 'f32') return `${b.helper('is_nan_f32', IS_NAN_F32)}(${e.code})`;
  return `(${e.code} != ${e.code})`;
}

/**
 * A constant that may be non-finite. expr.ts's literal() spells ±inf and NaN as
 * `bitcast<f32>(bits)`, which WGSL evaluates at shader-creation time and rejects ("value -inf
 * cannot be represented"); a call to a user function is not a const-expression, so it passes.
 */
const F32_FROM_BITS = `fn f32_from_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}
`;

function constant(b: KernelBuilder, value: number, t: WgslType): Expr {
  if (Number.isFinite(value) || !isFloatType(t)) return literal(value, t);
  const bits = Number.isNaN(value) ? '0x7fc00000u' : value > 0 ? '0x7f800000u' : '0xff800000u';
  return convert(expr(`${b.helper('f32_from_bits', F32_FROM_BITS)}(${bits})`, 'f32'), t);
}

/** The dtype's lowest and highest values: identities of max and min. */
function lowest(b: KernelBuilder, t: WgslType): Expr {
  return constant(b, t === 'i32' ? -2147483648 : t === 'u32' ? 0 : -Infinity, t);
}

function highest(b: KernelBuilder, t: WgslType): Expr {
  return constant(b, t === 'i32' ? 2147483647 : t === 'u32' ? 4294967295 : Infinity, t);
}

/** Runs `body` once per coordinate combination of `sizes` (nested loops; size-1 dims need none). */
export function forEachCoord(b: KernelBuilder, sizes: readonly Dim[], body: (vars: string[]) => void, done: string[] = []): void {
  if (done.length === sizes.length) {
    body(done);
    return;
  }
  const size = sizes[done.length];
  if (size === 1) forEachCoord(b, sizes, body, [...done, '0u']);
  else b.loopDim(size, (i) => forEachCoord(b, sizes, body, [...done, i]));
}

/**
 * Input coordinates of a reduction: kept dims come from the output's coordinates (all of them
 * positionally under keepdims, skipping the reduced ones' placeholders), reduced dims from the
 * loop variables.
 */
function inputCoords(rank: number, axes: readonly number[], keepdims: boolean, outCoords: readonly string[], loopVars: readonly string[]): string[] {
  let next = 0;
  return Array.from({ length: rank }, (_, d) => {
    const r = axes.indexOf(d);
    if (r >= 0) {
      if (keepdims) next++;
      return loopVars[r];
    }
    return outCoords[next++];
  });
}

interface Reducer {
  init(b: KernelBuilder, t: WgslType): Expr;
  combine(b: KernelBuilder, acc: Expr, x: Expr): string;
  /** The result of an empty reduction, in the accumulator's type. */
  empty(b: KernelBuilder, t: WgslType): Expr;
  finish?(b: KernelBuilder, acc: Expr, count: Dim): Expr;
}

/** max/min propagate NaN like numpy: WGSL's max/min may return either operand for NaN. */
function nanAware(fn: 'max' | 'min') {
  return (b: KernelBuilder, acc: Expr, x: Expr): string => {
    if (!isFloatType(acc.type)) return `${fn}(${acc.code}, ${x.code})`;
    return `select(${fn}(${acc.code}, ${x.code}), ${constant(b, NaN, acc.type).code}, ${nanTest(b, acc)} || ${nanTest(b, x)})`;
  };
}

const REDUCERS: Record<(typeof REDUCE_OPS)[number], Reducer> = {
  reduceSum: { init: (_b, t) => literal(0, t), combine: (_b, acc, x) => `${acc.code} + ${x.code}`, empty: (_b, t) => literal(0, t) },
  reduceMean: {
    init: (_b, t) => literal(0, t),
    combine: (_b, acc, x) => `${acc.code} + ${x.code}`,
    // Integer division truncates toward zero, as ONNX ReduceMean on integers does.
    finish: (b, acc, count) => expr(`(${acc.code} / ${b.sizeAs(count, acc.type).code})`, acc.type),
    empty: (b, t) => constant(b, isFloatType(t) ? NaN : 0, t),
  },
  reduceProd: { init: (_b, t) => literal(1, t), combine: (_b, acc, x) => `${acc.code} * ${x.code}`, empty: (_b, t) => literal(1, t) },
  reduceMax: { init: lowest, combine: nanAware('max'), empty: lowest },
  reduceMin: { init: highest, combine: nanAware('min'), empty: highest },
};

for (const op of REDUCE_OPS) {
  const reducer = REDUCERS[op];
  registerLowering(op, ({ b, node, inputs: [x], outputs: [out], where }) => {
    const axes = reducedAxes(x.shape.length, node.attrs.axes as number[], where);
    const keepdims = node.attrs.keepdims as boolean;
    const sizes = axes.map((d) => x.shape[d]);
    const count = shapeNumel(sizes);
    const accType = accumulatorType(x.dtype);
    return [
      derivedAccess(b, out.dtype, out.shape, (coords) => {
        if (count === 0) return convert(reducer.empty(b, accType), out.dtype);
        const acc = b.variable(reducer.init(b, accType), 'acc');
        forEachCoord(b, sizes, (vars) => {
          const value = convert(x.at(inputCoords(x.shape.length, axes, keepdims, coords, vars)), accType);
          b.line(`${acc.code} = ${reducer.combine(b, acc, value)};`);
        });
        return convert(reducer.finish ? reducer.finish(b, acc, count) : acc, out.dtype);
      }),
    ];
  });
}

/** `coords` with the coordinate of `axis` replaced. */
function withAxis(coords: readonly string[], axis: number, value: string): string[] {
  return coords.map((c, d) => (d === axis ? value : c));
}

/**
 * argMax/argMin: strict comparison keeps the first extreme, non-strict the last
 * (selectLastIndex). NaN wins like numpy's argmax: the first NaN (the last with selectLastIndex).
 */
for (const op of ['argMax', 'argMin'] as const) {
  registerLowering(op, ({ b, node, inputs: [x], outputs: [out], where }) => {
    const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
    const keepdims = node.attrs.keepdims as boolean;
    const selectLast = node.attrs.selectLastIndex as boolean;
    const n = x.shape[axis];
    const t = accumulatorType(x.dtype);
    const cmp = `${op === 'argMax' ? '>' : '<'}${selectLast ? '=' : ''}`;
    return [
      derivedAccess(b, out.dtype, out.shape, (coords) => {
        if (typeof n === 'number' && n <= 1) return literal(0, 'i32');
        const best = b.variable(op === 'argMax' ? lowest(b, t) : highest(b, t), 'best');
        const bestIndex = b.variable(literal(0, 'u32'), 'bestIndex');
        b.loopDim(n, (i) => {
          const value = b.let(convert(x.at(inputCoords(x.shape.length, [axis], keepdims, coords, [i])), t));
          let beats = `${value.code} ${cmp} ${best.code}`;
          if (isFloatType(t)) {
            const valueNaN = nanTest(b, value);
            const bestNaN = nanTest(b, best);
            beats = `select(!${bestNaN} && (${beats}), ${selectLast ? 'true' : `!${bestNaN}`}, ${valueNaN})`;
          }
          b.block(`if (${beats})`, () => {
            b.line(`${best.code} = ${value.code};`);
            b.line(`${bestIndex.code} = ${i};`);
          });
        });
        return convert(bestIndex, 'i32');
      }),
    ];
  });
}

/**
 * softmax/logSoftmax in three passes inside the invocation: the max along the axis, the sum of
 * exp(x - max), then the element. The two statistics are memoized per position of the other
 * dims, so a consumer reading several elements of one row computes them once.
 */
let nextSoftmaxId = 0;
for (const op of ['softmax', 'logSoftmax'] as const) {
  registerLowering(op, ({ b, node, inputs: [x], outputs: [out], where }) => {
    const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
    const n = x.shape[axis];
    const id = nextSoftmaxId++;
    const t = accumulatorType(x.dtype);
    const read = (coords: readonly string[]) => convert(x.at(coords), t);
    return [
      derivedAccess(b, out.dtype, out.shape, (coords) => {
        const rowKey = `softmax${id}(${withAxis(coords, axis, '_').join(',')})`;
        const max = b.memo(`${rowKey}.max`, () => {
          const m = b.variable(lowest(b, t), 'rowMax');
          b.loopDim(n, (i) => b.line(`${m.code} = max(${m.code}, ${read(withAxis(coords, axis, i)).code});`));
          return m;
        });
        const sum = b.memo(`${rowKey}.sum`, () => {
          const s = b.variable(literal(0, t), 'rowSum');
          b.loopDim(n, (i) => b.line(`${s.code} = ${s.code} + exp(${read(withAxis(coords, axis, i)).code} - ${max.code});`));
          return s;
        });
        const shifted = `(${read(coords).code} - ${max.code})`;
        const value = op === 'softmax' ? `(exp(${shifted}) / ${sum.code})` : `(${shifted} - log(${sum.code}))`;
        return convert(expr(value, t), out.dtype);
      }),
    ];
  });
}

/**
 * cumSum: element j sums the elements before it along the axis (after it when reversed),
 * itself included unless exclusive. One loop per element: O(n²) per row, fine for the sizes
 * this op meets; a scan template can replace it when it matters.
 */
registerLowering('cumSum', ({ b, node, inputs: [x], outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const exclusive = node.attrs.exclusive as boolean;
  const reverse = node.attrs.reverse as boolean;
  const n = x.shape[axis];
  const t = accumulatorType(x.dtype);
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const j = coords[axis];
      const first = reverse ? (exclusive ? `(${j} + 1u)` : j) : '0u';
      const count = reverse ? (exclusive ? `(${b.size(subDims(n, 1))} - ${j})` : `(${b.size(n)} - ${j})`) : exclusive ? j : `(${j} + 1u)`;
      const acc = b.variable(literal(0, t), 'acc');
      b.loop(expr(count, 'u32'), (i) => {
        const at = first === '0u' ? i : `(${first} + ${i})`;
        b.line(`${acc.code} = ${acc.code} + ${convert(x.at(withAxis(coords, axis, at)), t).code};`);
      });
      return convert(acc, out.dtype);
    }),
  ];
});
