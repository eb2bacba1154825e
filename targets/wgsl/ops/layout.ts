import type { Attrs, Dim, Shape } from '../../../ir/index.js';
import { addDims, mulDims, normalizeAxis, shapeNumel, ShapeError, sliceAxisDim, subDims } from '../../../ir/index.js';
import { broadcastCoords, derivedAccess, reindex } from '../access.js';
import { convert, expr, literal, scalarType } from '../expr.js';
import type { KernelBuilder, TensorAccess } from '../kernel_builder.js';
import { unravel } from '../kernel_builder.js';
import { registerLowering } from '../lowering.js';

/**
 * Layout ops as index arithmetic: each maps the coordinates of its result to coordinates of its
 * input, so a fused consumer reads the original buffer directly and no copy is ever made.
 * Every coordinate handed to an input must be in range, whatever the data: a GPU read out of
 * bounds is not an error but garbage (or another tensor's memory), so indices are clamped.
 */

const ints = (attrs: Attrs, key: string) => attrs[key] as readonly number[];
/** An i32 WGSL literal (coordinates are u32; signed math happens in i32). */
const int = (n: number) => literal(n, 'i32').code;

/**
 * Reshape maps coordinates group by group: the two shapes split into runs of dims with equal
 * products (size-1 dims dropped), and only a run that really merges or splits dims pays for a
 * linearize/unravel. [2,3,4] → [6,4] touches the first two dims only; [1,5,1] → [5] none.
 * Runs end where the running products of both shapes agree (as expressions when symbolic:
 * [N,3,4] → [N,12] keeps N's coordinate); where none do, one run spans everything.
 */
export function reshapeCoords(b: KernelBuilder, coords: readonly string[], outShape: Shape, inShape: Shape): string[] {
  const result = inShape.map(() => '0u');
  if (shapeNumel(inShape) === 0) return result;
  const outAxes = outShape.flatMap((d, i) => (d === 1 ? [] : [i]));
  const inAxes = inShape.flatMap((d, i) => (d === 1 ? [] : [i]));
  for (const { groupOut, groupIn } of reshapeRuns(outShape, inShape, outAxes, inAxes)) {
    if (groupOut.length === 1 && groupIn.length === 1) {
      result[groupIn[0]] = coords[groupOut[0]];
      continue;
    }
    let linear = '';
    let stride: Dim = 1;
    for (let k = groupOut.length - 1; k >= 0; k--) {
      const c = coords[groupOut[k]];
      linear = (stride === 1 ? c : `${c} * ${b.size(stride)}`) + (linear ? ` + ${linear}` : '');
      stride = mulDims(stride, outShape[groupOut[k]]);
    }
    const index = b.let(expr(linear, 'u32'), 'r').code;
    const split = groupIn.length === 1 ? [index] : unravel(b, index, groupIn.map((a) => inShape[a]));
    groupIn.forEach((a, k) => (result[a] = split[k]));
  }
  return result;
}

/** The runs of reshapeCoords: axes of each shape between consecutive points where their running products agree. */
function reshapeRuns(outShape: Shape, inShape: Shape, outAxes: readonly number[], inAxes: readonly number[]): { groupOut: number[]; groupIn: number[] }[] {
  const prefixes = (shape: Shape, axes: readonly number[]) => {
    const at = new Map<Dim, number>();
    let p: Dim = 1;
    axes.forEach((a, k) => {
      p = mulDims(p, shape[a]);
      at.set(p, k);
    });
    return at;
  };
  const inEnds = prefixes(inShape, inAxes);
  const runs: { groupOut: number[]; groupIn: number[] }[] = [];
  let groupOut: number[] = [];
  let i = 0;
  let p: Dim = 1;
  outAxes.forEach((a, o) => {
    groupOut.push(a);
    p = mulDims(p, outShape[a]);
    const k = inEnds.get(p);
    if (k === undefined && o < outAxes.length - 1) return;
    const end = k ?? inAxes.length - 1;
    runs.push({ groupOut, groupIn: inAxes.slice(i, end + 1) as number[] });
    groupOut = [];
    i = end + 1;
  });
  return runs.filter((r) => r.groupIn.length > 0);
}

registerLowering('reshape', ({ b, inputs: [x], outputs: [out] }) => [reindex(x, out.shape, (c) => reshapeCoords(b, c, out.shape, x.shape))]);

registerLowering('transpose', ({ node, inputs: [x], outputs: [out] }) => {
  const given = ints(node.attrs, 'perm');
  const perm = given.length ? given : [...x.shape.keys()].reverse();
  return [
    reindex(x, out.shape, (c) => {
      const inCoords = new Array<string>(perm.length);
      perm.forEach((p, i) => (inCoords[p] = c[i]));
      return inCoords;
    }),
  ];
});

registerLowering('slice', ({ b, node, inputs: [x], outputs: [out], where }) => {
  const { attrs } = node;
  const starts = ints(attrs, 'starts');
  const axes = ints(attrs, 'axes').length ? ints(attrs, 'axes') : starts.map((_, i) => i);
  const steps = ints(attrs, 'steps').length ? ints(attrs, 'steps') : starts.map(() => 1);
  const perAxis: { start: Dim; step: number }[] = x.shape.map(() => ({ start: 0, step: 1 }));
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.shape.length, where);
    perAxis[axis] = sliceAxisDim(x.shape[axis], starts[i], ints(attrs, 'ends')[i], steps[i], where);
  });
  return [
    reindex(x, out.shape, (c) =>
      c.map((ci, d) => {
        const { start, step } = perAxis[d];
        if (out.shape[d] === 0) return '0u';
        const scaled = Math.abs(step) === 1 ? ci : `${ci} * ${b.size(Math.abs(step))}`;
        if (step > 0) return start === 0 ? scaled : `(${b.size(start)} + ${scaled})`;
        // Negative steps count down from start; valid output coords never pass below 0.
        return `(${b.size(start)} - ${scaled})`;
      }),
    ),
  ];
});

registerLowering('expand', ({ inputs: [x], outputs: [out] }) => [reindex(x, out.shape, (c) => broadcastCoords(c, x.shape))]);

registerLowering('squeeze', ({ node, inputs: [x], outputs: [out], where }) => {
  const given = ints(node.attrs, 'axes');
  const squeezed = new Set(given.length ? given.map((a) => normalizeAxis(a, x.shape.length, where)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  return [
    reindex(x, out.shape, (c) => {
      let j = 0;
      return x.shape.map((_, i) => (squeezed.has(i) ? '0u' : c[j++]));
    }),
  ];
});

registerLowering('unsqueeze', ({ node, outputs: [out], inputs: [x], where }) => {
  const inserted = new Set(ints(node.attrs, 'axes').map((a) => normalizeAxis(a, out.shape.length, where)));
  return [reindex(x, out.shape, (c) => c.filter((_, i) => !inserted.has(i)))];
});

/** ONNX gather: negative indices count from the end; out-of-range ones are clamped (never read out of bounds). */
registerLowering('gather', ({ b, node, inputs: [x, indices], outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, x.shape.length, where);
  const dim = x.shape[axis];
  const idxRank = indices.shape.length;
  if (dim === 0) return [derivedAccess(b, out.dtype, out.shape, () => literal(0, scalarType(out.dtype)))];
  return [
    reindex(x, out.shape, (c) => {
      const raw = indices.at(c.slice(axis, axis + idxRank));
      const last = subDims(dim, 1);
      const index =
        raw.type === 'i32'
          ? `u32(clamp(select(${raw.code}, ${raw.code} + ${b.sizeAs(dim, 'i32').code}, ${raw.code} < 0i), 0i, ${b.sizeAs(last, 'i32').code}))`
          : `min(${raw.code}, ${b.size(last)})`;
      return [...c.slice(0, axis), b.let(expr(index, 'u32'), 'g').code, ...c.slice(axis + idxRank)];
    }),
  ];
});

/**
 * Concat reads exactly one input per element: an if/else-if chain over the axis coordinate
 * assigns a `var`. Each branch reads its input in its own scope, where the shifted coordinate
 * is known to be in range, so nothing needs clamping and no other input is touched.
 */
registerLowering('concat', ({ b, node, inputs, outputs: [out], where }) => {
  const axis = normalizeAxis(node.attrs.axis as number, out.shape.length, where);
  const parts: { x: TensorAccess; offset: Dim; end: Dim }[] = [];
  let offset: Dim = 0;
  for (const x of inputs) {
    const size = x.shape[axis];
    const end = addDims(offset, size);
    if (size !== 0) parts.push({ x, offset, end });
    offset = end;
  }
  const shifted = (coords: readonly string[], by: Dim) => coords.map((c, d) => (d === axis && by !== 0 ? `(${c} - ${b.size(by)})` : c));
  if (parts.length === 0) return [derivedAccess(b, out.dtype, out.shape, () => literal(0, scalarType(out.dtype)))];
  if (parts.length === 1) return [reindex(parts[0].x, out.shape, (c) => shifted(c, parts[0].offset))];
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const result = b.variable(literal(0, scalarType(out.dtype)), 'cat');
      parts.forEach(({ x, offset: from, end }, k) => {
        const header = k === 0 ? `if (${coords[axis]} < ${b.size(end)})` : k === parts.length - 1 ? 'else' : `else if (${coords[axis]} < ${b.size(end)})`;
        b.block(header, () => b.line(`${result.code} = ${x.at(shifted(coords, from)).code};`));
      });
      return result;
    }),
  ];
});

/** One axis of pad as i32 math on j = coordinate within the (cropped) input: its source and whether it is inside. */
function padAxis(b: KernelBuilder, j: string, kept: Dim, mode: string): string {
  const last = b.sizeAs(subDims(kept, 1), 'i32').code;
  const size = b.sizeAs(kept, 'i32').code;
  switch (mode) {
    case 'constant':
    case 'edge':
      // Constant mode clamps too: the read must stay in bounds even where select discards it.
      return `clamp(${j}, 0i, ${last})`;
    case 'wrap':
      return `(((${j} % ${size}) + ${size}) % ${size})`;
    case 'reflect': {
      if (kept === 1) return '0i';
      // Reflection without repeating the edge is periodic with period 2·(n-1); n = 1 reflects onto 0.
      const period = b.sizeAs(mulDims(2, subDims(kept, 1)), 'i32').code;
      if (typeof kept !== 'number') {
        const safe = b.let(expr(`max(${period}, 1i)`, 'i32'), 'per').code;
        const m = b.let(expr(`(((${j} % ${safe}) + ${safe}) % ${safe})`, 'i32'), 'm').code;
        return `select(${m}, ${safe} - ${m}, ${m} > ${last})`;
      }
      const m = b.let(expr(`(((${j} % ${period}) + ${period}) % ${period})`, 'i32'), 'm').code;
      return `select(${m}, ${period} - ${m}, ${m} > ${last})`;
    }
    default:
      throw new ShapeError(`unknown pad mode '${mode}'`);
  }
}

/** ONNX pad: negative pads crop first, then reflect/edge/wrap refer to the cropped edges. */
registerLowering('pad', ({ b, node, inputs: [x], outputs: [out], where }) => {
  const pads = ints(node.attrs, 'pads');
  const mode = node.attrs.mode as string;
  const rank = x.shape.length;
  const fill = literal(node.attrs.value as number, scalarType(out.dtype));
  const axes = x.shape.map((n, d) => {
    const cropBegin = Math.max(0, -pads[d]);
    return { cropBegin, kept: subDims(n, cropBegin + Math.max(0, -pads[d + rank])), padBegin: Math.max(0, pads[d]), padEnd: Math.max(0, pads[d + rank]) };
  });
  const empty = axes.find((a) => a.kept === 0 && a.padBegin + a.padEnd > 0);
  if (empty && mode !== 'constant') throw new ShapeError(`${where}: cannot ${mode}-pad an empty axis`);
  if (empty || shapeNumel(x.shape) === 0) return [derivedAccess(b, out.dtype, out.shape, () => fill)];
  return [
    derivedAccess(b, out.dtype, out.shape, (coords) => {
      const inside: string[] = [];
      const inCoords = axes.map(({ cropBegin, kept, padBegin, padEnd }, d) => {
        const c = coords[d];
        if (padBegin === 0 && padEnd === 0) return cropBegin ? `(${c} + ${b.size(cropBegin)})` : c;
        const j = b.let(expr(padBegin ? `(i32(${c}) - ${int(padBegin)})` : `i32(${c})`, 'i32'), 'p').code;
        if (mode === 'constant') {
          if (padBegin) inside.push(`${j} >= 0i`);
          if (padEnd) inside.push(`${j} < ${b.sizeAs(kept, 'i32').code}`);
        }
        const source = padAxis(b, j, kept, mode);
        return b.let(expr(`u32(${source}${cropBegin ? ` + ${int(cropBegin)}` : ''})`, 'u32'), 'q').code;
      });
      const value = x.at(inCoords);
      return inside.length ? expr(`select(${fill.code}, ${value.code}, ${inside.join(' && ')})`, value.type) : value;
    }),
  ];
});

registerLowering('tile', ({ b, inputs: [x], outputs: [out] }) => [
  reindex(x, out.shape, (c) => c.map((ci, d) => (x.shape[d] === 1 ? '0u' : out.shape[d] === x.shape[d] ? ci : `(${ci} % ${b.size(x.shape[d])})`))),
]);

/**
 * range: start + i·delta. Integer parameters whose values all fit i32 (or u32) use exact integer
 * arithmetic and round once when converted, as the reference does; anything else uses floats.
 */
registerLowering('range', ({ b, node, outputs: [out] }) => {
  const { start, delta } = node.attrs as { start: number; delta: number };
  // range's length comes from its attributes: always static.
  const n = out.shape[0] as number;
  const type = scalarType(out.dtype);
  const last = start + Math.max(0, n - 1) * delta;
  const integral = Number.isInteger(start) && Number.isInteger(delta);
  const fitsI32 = integral && Math.abs(start) < 2 ** 31 && Math.abs(last) < 2 ** 31;
  const fitsU32 = integral && Math.min(start, last) >= 0 && Math.max(start, last) < 2 ** 32;
  return [
    derivedAccess(b, out.dtype, out.shape, ([c]) => {
      if (fitsI32) return convert(expr(`(${int(start)} + i32(${c}) * ${int(delta)})`, 'i32'), type);
      if (fitsU32) return convert(expr(`(${start >>> 0}u ${delta < 0 ? '-' : '+'} ${c} * ${Math.abs(delta) >>> 0}u)`, 'u32'), type);
      const float = type === 'f16' ? 'f16' : 'f32';
      return convert(expr(`(${literal(start, float).code} + ${float}(${c}) * ${literal(delta, float).code})`, float), type);
    }),
  ];
});

registerLowering('fill', ({ b, node, outputs: [out] }) => [
  derivedAccess(b, out.dtype, out.shape, () => literal(node.attrs.value as number, scalarType(out.dtype))),
]);
