import type { Value } from '../../../ir/index.js';
import { ShapeError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { dtypedArray } from '../context.js';
import { dtypeOfOnnx } from '../dtypes.js';
import { defineOnnxOps } from './table.js';

/**
 * Window functions: generalized cosine windows a0 − a1·cos(2πn/N) + a2·cos(4πn/N), with
 * N = size (periodic) or size − 1 (symmetric). Their only input is the size, so they are
 * constants computed at import time.
 */
function cosineWindow(a0: number, a1: number, a2: number) {
  return (node: OnnxNodeView, ctx: ImportContext): Value[] => {
    const [size] = ctx.constValues(node, 0, 'size');
    if (!Number.isInteger(size) || size < 0) throw new ShapeError(`${node.where}: size ${size} is not a non-negative integer`);
    const periodic = node.attrs.int('periodic', 1) !== 0;
    const n = periodic ? size : size - 1;
    const values = Array.from({ length: size }, (_, i) => a0 - a1 * Math.cos((2 * Math.PI * i) / n) + a2 * Math.cos((4 * Math.PI * i) / n));
    const dtype = dtypeOfOnnx(node.attrs.int('output_datatype', 1), node.where);
    return [ctx.constant({ dtype, shape: [size], data: dtypedArray(dtype, values) })];
  };
}

defineOnnxOps({
  HannWindow: cosineWindow(0.5, 0.5, 0),
  HammingWindow: cosineWindow(25 / 46, 21 / 46, 0),
  BlackmanWindow: cosineWindow(0.42, 0.5, 0.08),
});
