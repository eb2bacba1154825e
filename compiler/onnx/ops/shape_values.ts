import type { Dim, Value } from '../../../ir/index.js';
import { addDims, floorDivDims, maxDims, minDims, mulDims, subDims } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';

/** Integer arithmetic exporters apply to shape values (batch·heads, seq + past, hidden / heads). */
const ARITHMETIC: Readonly<Record<string, (a: Dim, b: Dim) => Dim | undefined>> = {
  Add: addDims,
  Sub: subDims,
  Mul: mulDims,
  // ONNX integer division truncates toward zero: the floor for the sizes met here (never negative).
  Div: (a, b) => ((typeof a === 'number' && a < 0) || (typeof b === 'number' && b <= 0) ? undefined : floorDivDims(a, b)),
  Max: (a, b) => maxDims(a, b),
  Min: (a, b) => minDims(a, b),
};

/**
 * Shape arithmetic over symbolic dims. `Shape` of a tensor with a symbolic batch dim gives a
 * value known only as dims (['N', 3, 4]); the index ops that exporters wrap around it (Gather,
 * Unsqueeze, Concat, Slice, Cast...) are evaluated here on those dims, so the Reshape or Expand
 * at the end of the chain receives a target like ['N', 12] and the graph stays symbolic.
 * Returns undefined when the node is not such an op; the caller then reports it.
 */
export function symbolicShapeOp(node: OnnxNodeView, ctx: ImportContext): (Value | undefined)[] | undefined {
  const x = node.inputs[0];
  const dims = ctx.knownDims(x);
  if (!x || !dims) return undefined;
  const scalarIn = x.type.shape.length === 0;
  const arithmetic = ARITHMETIC[node.opType];
  if (arithmetic) {
    const other = ctx.knownDims(node.inputs[1]);
    const y = node.inputs[1];
    if (!other || !y || node.inputs.length !== 2 || x.type.shape.length > 1 || y.type.shape.length > 1) return undefined;
    const n = Math.max(dims.length, other.length);
    if ((dims.length !== n && dims.length !== 1) || (other.length !== n && other.length !== 1)) return undefined;
    const out: Dim[] = [];
    for (let i = 0; i < n; i++) {
      const d = arithmetic(dims[dims.length === 1 ? 0 : i], other[other.length === 1 ? 0 : i]);
      if (d === undefined) return undefined;
      out.push(d);
    }
    return [ctx.shapeValue(out, scalarIn && y.type.shape.length === 0)];
  }
  switch (node.opType) {
    case 'Identity':
    case 'Cast':
      return node.opType === 'Cast' && !isIntCast(node) ? undefined : [ctx.shapeValue(dims, scalarIn)];
    case 'Gather': {
      const indices = ctx.valuesOf(node.inputs[1]);
      if (!indices || node.attrs.int('axis', 0) !== 0 || scalarIn) return undefined;
      const picked = indices.map((i) => dims[i < 0 ? i + dims.length : i]);
      if (picked.some((d) => d === undefined)) return undefined;
      return [ctx.shapeValue(picked, node.inputs[1]!.type.shape.length === 0)];
    }
    case 'Unsqueeze':
      return scalarIn ? [ctx.shapeValue(dims)] : undefined;
    case 'Squeeze':
      return !scalarIn && dims.length === 1 ? [ctx.shapeValue(dims, true)] : undefined;
    case 'Reshape': {
      const target = ctx.valuesOf(node.inputs[1]);
      return target && target.length === 1 && (target[0] === -1 || target[0] === dims.length) ? [ctx.shapeValue(dims)] : undefined;
    }
    case 'Concat': {
      const parts: Dim[] = [];
      for (const v of node.inputs) {
        const d = ctx.knownDims(v);
        if (!d || !v || v.type.shape.length !== 1) return undefined;
        parts.push(...d);
      }
      return [ctx.shapeValue(parts)];
    }
    case 'Slice': {
      if (node.opset < 10 || scalarIn) return undefined;
      const [start] = ctx.valuesOf(node.inputs[1]) ?? [];
      const [end] = ctx.valuesOf(node.inputs[2]) ?? [];
      const step = node.inputs[4] ? (ctx.valuesOf(node.inputs[4]) ?? [NaN])[0] : 1;
      if (start === undefined || end === undefined || step !== 1) return undefined;
      const n = dims.length;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      return [ctx.shapeValue(dims.slice(clamp(start), Math.max(clamp(start), clamp(end))))];
    }
    default:
      return undefined;
  }
}

function isIntCast(node: OnnxNodeView): boolean {
  // INT32, INT64 and the unsigned 32/64-bit types keep dims exact.
  return [6, 7, 12, 13].includes(node.attrs.int('to'));
}
