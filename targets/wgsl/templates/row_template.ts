import { ceilDivDims, normalizeAxis, shapeNumel } from '../../../ir/index.js';
import { toStorage } from '../expr.js';
import type { SizeUniforms } from '../kernel_builder.js';
import { dimStrides, KernelBuilder, linearIndex, unravel } from '../kernel_builder.js';
import { gridFor } from '../grid.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate } from '../kernel_types.js';
import { lowerGroup } from './group_lowering.js';

/**
 * One invocation per row for normalizing anchors (softmax, logSoftmax, layerNorm): their lowerings
 * memoize row statistics (max, sum, mean, variance) under a key that ignores the row axes. The
 * template evaluates the output once at the row's first element in the invocation's outer scope
 * (computing the statistics there), then loops over the row, where every element finds the
 * statistics already computed. O(n) per row instead of the generic path's O(n²).
 */
const ROW_OPS: Readonly<Record<string, (attrs: Readonly<Record<string, unknown>>, rank: number) => number[]>> = {
  softmax: (attrs, rank) => [normalizeAxis(attrs.axis as number, rank, 'softmax')],
  logSoftmax: (attrs, rank) => [normalizeAxis(attrs.axis as number, rank, 'logSoftmax')],
  layerNorm: (attrs, rank) => {
    const axis = normalizeAxis(attrs.axis as number, rank, 'layerNorm');
    return [...Array(rank - axis).keys()].map((i) => axis + i);
  },
};

export function matchesRowTemplate(group: KernelGroup): boolean {
  const anchor = group.anchor;
  if (!anchor || !(anchor.op in ROW_OPS) || group.outputs.length !== 1) return false;
  const out = anchor.outputs[0].type.shape;
  const root = group.outputs[0].type.shape;
  return root.length === out.length && root.every((d, i) => d === out[i]) && shapeNumel(out) !== 0;
}

export function generateRowKernel(group: KernelGroup, maxWorkgroupsPerDimension: number, sizeUniforms?: SizeUniforms): GeneratedKernel {
  const anchor = group.anchor!;
  const root = group.outputs[0];
  const shape = root.type.shape;
  const rowAxes = ROW_OPS[anchor.op](anchor.attrs, shape.length);
  const outerAxes = shape.map((_, i) => i).filter((i) => !rowAxes.includes(i));
  const outerShape = outerAxes.map((i) => shape[i]);
  const rowShape = rowAxes.map((i) => shape[i]);
  const rows = shapeNumel(outerShape);
  const wg = 64;

  const b = new KernelBuilder(undefined, sizeUniforms);
  const rootAccess = lowerGroup(b, group);
  const outName = b.bind(root.id, root.type.dtype);
  b.line(`let row = gid.x + gid.y * (nwg.x * ${wg}u);`);
  b.line(`if (row >= ${b.size(rows)}) { return; }`);
  const outer = unravel(b, 'row', outerShape);
  const place = (inner: readonly string[]) => {
    const coords = new Array<string>(shape.length);
    outerAxes.forEach((a, i) => (coords[a] = outer[i]));
    rowAxes.forEach((a, i) => (coords[a] = inner[i]));
    return coords;
  };
  // Warm the row statistics in the outer scope.
  rootAccess.at(place(rowAxes.map(() => '0u')));
  const strides = dimStrides(shape);
  b.loopDim(shapeNumel(rowShape), (j) => {
    const inner = unravel(b, j, rowShape);
    const coords = place(inner);
    const value = rootAccess.at(coords);
    b.line(`${outName}[${linearIndex(b, coords, shape, strides)}] = ${toStorage(value, root.type.dtype)};`);
  });
  const name = group.nodes.map((n) => n.op).join('+');
  if (typeof rows === 'number') return b.finish(name, 'per-element', [wg, 1, 1], gridFor(Math.ceil(rows / wg), maxWorkgroupsPerDimension));
  return b.finish(name, 'per-element', [wg, 1, 1], [ceilDivDims(rows, wg), 1, 1], true);
}

export const ROW_TEMPLATE: KernelTemplate = {
  name: 'row_template',
  matches: matchesRowTemplate,
  generate: (group, target) => generateRowKernel(group, target.maxWorkgroupsPerDimension, target.sizeUniforms),
};
