import type { Dim, DimFacts, Node, Value } from '../../../ir/index.js';
import { addDims, ceilDivDims, dimDivisibleBy, mulDims, normalizeAxis, shapeNumel } from '../../../ir/index.js';
import { expr, storageType, toStorage } from '../expr.js';
import { gridFor } from '../grid.js';
import type { TensorAccess } from '../kernel_builder.js';
import { KernelBuilder, unravel } from '../kernel_builder.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget } from '../kernel_types.js';
import { lowerNodes } from './group_lowering.js';

/**
 * A concat as a copy (groups whose output is a concat's): the output, row-major, is `outer`
 * rows, each the inputs' blocks one after another (input k's block: its `c_k · inner` elements
 * of that row, contiguous in the input too). Each invocation writes one unit of the output, a
 * vec4 where every block is a multiple of 4 elements (f32), else one element: the row and the
 * offset in it take one division per unit, the input is chosen once per unit (a branch that
 * only the few units at a block's edge see differently from their neighbours), and an input
 * read straight from memory is copied by its linear index, a vec4 load when wide, with no
 * per-element coordinates. Inputs computed in the group (a transposed new row) are read through
 * their accesses as usual, per element.
 *
 * The generic kernel decomposes every element's index into coordinates (divisions by sizes
 * that, symbolic, are uniforms lavapipe cannot strength-reduce) and branches per element: the
 * KV-cache append of a decode step (docs/decoding.md) was most of its device time.
 */

const WORKGROUP = 64;

interface Part {
  readonly value: Value;
  /** Where the block starts and ends in an output row, and its length, in elements. */
  readonly start: Dim;
  readonly end: Dim;
  readonly block: Dim;
  /** Computed in the group (read through its access) rather than loaded from memory. */
  readonly fused: boolean;
}

function concatRoot(group: KernelGroup): Node | undefined {
  if (group.outputs.length !== 1) return undefined;
  return group.nodes.find((n) => n.op === 'concat' && n.outputs[0] === group.outputs[0]);
}

export function matchesConcatCopy(group: KernelGroup): boolean {
  const root = concatRoot(group);
  return root !== undefined && shapeNumel(root.outputs[0].type.shape) !== 0;
}

/** The concat's non-empty inputs as blocks of an output row. */
function partsOf(node: Node, axis: number, inner: Dim, inGroup: ReadonlySet<Value>): Part[] {
  const parts: Part[] = [];
  let start: Dim = 0;
  for (const value of node.inputs) {
    const block = mulDims(value.type.shape[axis], inner);
    const end = addDims(start, block);
    if (block !== 0) parts.push({ value, start, end, block, fused: inGroup.has(value) });
    start = end;
  }
  return parts;
}

/** Whether every block (hence every offset and the row) is a multiple of 4 f32 elements. */
function wide(node: Node, parts: readonly Part[], facts?: DimFacts): boolean {
  return node.outputs[0].type.dtype === 'f32' && parts.every((p) => dimDivisibleBy(p.block, 4, facts));
}

export function generateConcatCopy(group: KernelGroup, target: TemplateTarget): GeneratedKernel | null {
  const node = concatRoot(group)!;
  const out = node.outputs[0];
  // An output written through an input's binding (in place) keeps the generic kernel.
  if (target.aliases?.has(out.id)) return null;
  const shape = out.type.shape;
  const axis = normalizeAxis(node.attrs.axis as number, shape.length, `concat '${node.name}'`);
  const outerShape = shape.slice(0, axis);
  const inner = shapeNumel(shape.slice(axis + 1));
  const row = mulDims(shape[axis], inner);
  const inGroup = new Set(group.nodes.flatMap((n) => n.outputs));
  const parts = partsOf(node, axis, inner, inGroup);
  const width = wide(node, parts, target.dimFacts) ? 4 : 1;
  const units = ceilDivDims(shapeNumel(shape), width);

  const b = new KernelBuilder(target.aliases, target.sizeUniforms);
  // Wide bindings first: scalar reads of the same tensors (by fused producers) then go through them.
  const names = new Map<Value, string>();
  const bindWide = (v: Value) => b.bindVec4(v.id) ?? b.bindings.find((x) => x.key === v.id)!.name;
  const outName = width === 4 ? bindWide(out) : b.bind(out.id, out.type.dtype);
  for (const p of parts) if (!p.fused) names.set(p.value, width === 4 ? bindWide(p.value) : b.bind(p.value.id, p.value.type.dtype));
  const accesses = lowerNodes(b, { ...group, nodes: group.nodes.filter((n) => n !== node) }, null);
  const access = (v: Value): TensorAccess => accesses.get(v) ?? b.loadAccess(v.id, v.type.dtype, v.type.shape);

  b.line(`let u = gid.x + gid.y * (nwg.x * ${WORKGROUP}u);`);
  b.line(`if (u >= ${b.size(units)}) { return; }`);
  const first = width === 1 ? 'u' : b.let(expr(`u * ${width}u`, 'u32'), 'e').code;
  const single = shapeNumel(outerShape) === 1;
  const o = single ? '0u' : b.let(expr(`${first} / ${b.size(row)}`, 'u32'), 'o').code;
  const r = single ? first : b.let(expr(`${first} - ${o} * ${b.size(row)}`, 'u32'), 'r').code;
  const type = width === 4 ? 'vec4<f32>' : storageType(out.type.dtype);
  b.line(`var unit: ${type};`);

  const copy = (p: Part) => {
    const at = p.start === 0 ? r : b.let(expr(`${r} - ${b.size(p.start)}`, 'u32'), 'q').code;
    if (!p.fused) {
      const index = single ? at : `${o} * ${b.size(p.block)} + ${at}`;
      b.line(`unit = ${names.get(p.value)!}[${width === 4 ? `(${index}) / 4u` : index}];`);
      return;
    }
    // Per element: coordinates in the output row's block, then in the input.
    const x = access(p.value);
    const outer = single ? outerShape.map(() => '0u') : unravel(b, o, outerShape);
    const partShape = x.shape.slice(axis);
    const lanes = [...Array(width).keys()].map((j) => {
      const offset = j === 0 ? at : b.let(expr(`${at} + ${j}u`, 'u32'), 'q').code;
      return toStorage(x.at([...outer, ...unravel(b, offset, partShape)]), out.type.dtype);
    });
    b.line(`unit = ${width === 4 ? `vec4<f32>(${lanes.join(', ')})` : lanes[0]};`);
  };
  if (parts.length === 1) copy(parts[0]);
  else {
    parts.forEach((p, k) => {
      const header = k === 0 ? `if (${r} < ${b.size(p.end)})` : k === parts.length - 1 ? 'else' : `else if (${r} < ${b.size(p.end)})`;
      b.block(header, () => copy(p));
    });
  }
  b.line(`${outName}[u] = unit;`);

  const name = group.nodes.map((n) => n.op).join('+');
  if (typeof units === 'number') return b.finish(name, 'per-element', [WORKGROUP, 1, 1], gridFor(Math.ceil(units / WORKGROUP), target.maxWorkgroupsPerDimension));
  return b.finish(name, 'per-element', [WORKGROUP, 1, 1], [ceilDivDims(units, WORKGROUP), 1, 1], true);
}

export const CONCAT_COPY_TEMPLATE: KernelTemplate = {
  name: 'concat_copy',
  matches: matchesConcatCopy,
  generate: (group, target) => generateConcatCopy(group, target),
};
