import type { DimFacts, Node } from '../../../ir/index.js';
import { ceilDivDims, dimDivisibleBy, floorDivDims, mulDims, proveLessEqual, shapeNumel, subDims } from '../../../ir/index.js';
import { tiledGrid } from '../grid.js';
import { broadcastCoords } from '../access.js';
import { expr, toStorage } from '../expr.js';
import { KernelBuilder, linearIndex, unravel } from '../kernel_builder.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget } from '../kernel_types.js';
import { lowerAroundAnchor } from './group_lowering.js';
import { sharedRows, subgroupShare } from './shared_rows.js';
import { storeTileRows } from './tile_store.js';
import type { Vec4MatmulConfig } from './tile_configs.js';
import { matchesTiledMatmul, matmulDims } from './tiled_matmul.js';

/**
 * The wide matmul template, for f32 operands read straight from memory with K and N multiples of
 * 4: A is read as vec4 along K, B as vec4 rows along N, and each invocation accumulates TM rows ×
 * TN4 vec4 columns in vec4 registers (4 k-steps per trip: 4·TM·TN4 vec4 FMAs per TM + 4·TN4 wide
 * loads). Neighbouring invocations take neighbouring vec4 columns. The epilogue is evaluated per
 * element on the accumulator lanes and stored as one vec4.
 *
 * With `sg` set (one row of invocations, a device whose subgroups have at least `sg` lanes), A's
 * rows are not loaded by every invocation: lane `i` of each subgroup loads the vec4 of row `i`
 * (mod `sg`) and `subgroupBroadcast` hands it to the others. On SIMD-per-lane rasterizers
 * (lavapipe) a uniform load costs a bounds-checked branch per component while a broadcast is one
 * shuffle: measured 3× faster on 1024³ there.
 */

// One row of invocations: rows depend only on the workgroup id, so A's loads are uniform (scalar on
// SIMD-per-lane rasterizers like lavapipe); B's vec4 rows are the only per-invocation loads.
export const DEFAULT_VEC4_MATMUL_CONFIG: Vec4MatmulConfig = { wgX: 64, wgY: 1, tm: 8, tn4: 1 };
/** Where subgroups of 8+ lanes exist: 16 rows per invocation, fetched two subgroup loads a step. */
export const SUBGROUP_VEC4_MATMUL_CONFIG: Vec4MatmulConfig = { wgX: 64, wgY: 1, tm: 16, tn4: 1, sg: 8 };

/** The untuned choice for a device whose subgroups have at least `subgroupMinSize` lanes (0: none). */
export function defaultVec4MatmulConfig(subgroupMinSize: number): Vec4MatmulConfig {
  return subgroupMinSize >= 8 ? SUBGROUP_VEC4_MATMUL_CONFIG : DEFAULT_VEC4_MATMUL_CONFIG;
}

/**
 * On a group the tiled matmul template takes: whether its operands suit vec4 loads. K and N must
 * be multiples of 4: known for sizes, and for symbolic dims only from the facts (`--dim S=%4`).
 */
export function matchesVec4Matmul(group: KernelGroup, facts?: DimFacts): boolean {
  const anchor = group.anchor!;
  const inGroup = new Set(group.nodes.flatMap((n) => n.outputs));
  const [a, b] = anchor.inputs;
  const k = a.type.shape[a.type.shape.length - 1];
  const n = b.type.shape[b.type.shape.length - 1];
  return (
    a.type.dtype === 'f32' &&
    b.type.dtype === 'f32' &&
    group.outputs[0].type.dtype === 'f32' &&
    !inGroup.has(a) &&
    !inGroup.has(b) &&
    dimDivisibleBy(k, 4, facts) &&
    dimDivisibleBy(n, 4, facts) &&
    proveLessEqual(1, k, facts)
  );
}

export function generateVec4Matmul(group: KernelGroup, config: Vec4MatmulConfig, target: TemplateTarget): GeneratedKernel | null {
  const anchor = group.anchor as Node;
  const [aV, bV] = anchor.inputs;
  const { lhsShape: aShape, rhsShape: bShape, m, n, k, batchShape } = matmulDims(anchor);
  // Multiples of 4 (matchesVec4Matmul): the floor is exact.
  const n4 = floorDivDims(n, 4);
  const k4 = floorDivDims(k, 4);
  const { wgX, wgY, tm, tn4 } = config;
  const grid = tiledGrid([ceilDivDims(n4, wgX * tn4), ceilDivDims(m, wgY * tm), shapeNumel(batchShape)], target.maxWorkgroupsPerDimension);
  if (!grid) return null;

  const b = new KernelBuilder(undefined, target.sizeUniforms);
  const root = group.outputs[0];
  const A = b.bindVec4(aV.id);
  const B = aV === bV ? A : b.bindVec4(bV.id);
  const out = b.bindVec4(root.id);
  if (!A || !B || !out) return null;
  const lowered = lowerAroundAnchor(b, group, anchor);

  // With one row of invocations the rows depend on the workgroup alone: say so, so the compiler
  // sees A's loads as uniform.
  b.line(wgY === 1 ? `let tile_row0 = wid.y * ${tm}u;` : `let tile_row0 = (wid.y * ${wgY}u + lid.y) * ${tm}u;`);
  b.line(`let tile_col4 = wid.x * ${wgX * tn4}u + lid.x;`);
  const batchCoords = batchShape.length ? unravel(b, 'wid.z', batchShape) : [];
  const aBatchShape = aShape.slice(0, -2);
  const bBatchShape = bShape.slice(0, -2);
  const aBatch = aBatchShape.length ? linearIndex(b, broadcastCoords(batchCoords, aBatchShape), aBatchShape) : '0u';
  const bBatch = bBatchShape.length ? linearIndex(b, broadcastCoords(batchCoords, bBatchShape), bBatchShape) : '0u';
  const rows = sharedRows(b, tm, subgroupShare(config.sg, wgX, wgY, target.subgroupMinSize ?? 0), (offset) =>
    b.let(expr(`((${aBatch}) * ${b.size(m)} + min(tile_row0 + ${offset}, ${b.size(subDims(m, 1))})) * ${b.size(k4)}`, 'u32'), 'ar').code,
  );
  const bBase = b.let(expr(`(${bBatch}) * ${b.size(mulDims(mulDims(k4, 4), n4))}`, 'u32'), 'bb').code;
  const cols = [...Array(tn4).keys()].map((j) => b.let(expr(`min(tile_col4 + ${j * wgX}u, ${b.size(subDims(n4, 1))})`, 'u32'), 'cj').code);
  const acc = (i: number, j: number) => `acc_${i}_${j}`;
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn4; j++) b.line(`var ${acc(i, j)} = vec4<f32>(0.0f);`);
  b.block(`for (var kq = 0u; kq < ${b.bakes(k4) && k4 > 1 ? b.opaqueCount(k4) : b.size(k4)}; kq++)`, () => {
    // vec4 loads: the row values are vectors (the Expr type only matters to conversions, never made here).
    const as = rows.values(rows.loadRows.map((r) => expr(`${A}[${r} + kq]`, 'f32')), 'f32');
    const bs = cols.map((c) => [0, 1, 2, 3].map((q) => b.let(expr(`${B}[${bBase} + (kq * 4u + ${q}u) * ${b.size(n4)} + ${c}]`, 'f32'), 'bq').code));
    for (let i = 0; i < tm; i++) {
      for (let j = 0; j < tn4; j++) {
        const [b0, b1, b2, b3] = bs[j];
        const a = as[i];
        // Explicit fma: rasterizers without fast-math would not contract a * b + c themselves.
        b.line(`${acc(i, j)} = fma(vec4<f32>(${a}.w), ${b3}, fma(vec4<f32>(${a}.z), ${b2}, fma(vec4<f32>(${a}.y), ${b1}, fma(vec4<f32>(${a}.x), ${b0}, ${acc(i, j)}))));`);
      }
    }
  });
  storeTileRows(b, { rows: tm, cols: tn4, type: 'f32', width: 4, acc }, (i, j, value) => {
    const row = `(tile_row0 + ${i})`;
    b.block(`if (${row} < ${b.size(m)} && tile_col4 + ${j * wgX}u < ${b.size(n4)})`, () => {
      const lanes = ['x', 'y', 'z', 'w'].map((lane, e) => {
        lowered.setCurrent(expr(`${value}.${lane}`, 'f32'));
        const coords = [...batchCoords, row, `((tile_col4 + ${j * wgX}u) * 4u + ${e}u)`];
        return toStorage(lowered.root.at(coords), 'f32');
      });
      b.line(`${out}[(wid.z * ${b.size(m)} + ${row}) * ${b.size(n4)} + tile_col4 + ${j * wgX}u] = vec4<f32>(${lanes.join(', ')});`);
    });
  });
  return b.finish(group.nodes.map((nd) => nd.op).join('+'), 'tiled', [wgX, wgY, 1], grid);
}

export const VEC4_MATMUL_TEMPLATE: KernelTemplate = {
  name: 'vec4_matmul',
  matches: (group, facts) => matchesTiledMatmul(group) && matchesVec4Matmul(group, facts),
  generate: (group, target, config) => generateVec4Matmul(group, config.vec4MatmulConfig?.(group) ?? defaultVec4MatmulConfig(target.subgroupMinSize ?? 0), target),
};
