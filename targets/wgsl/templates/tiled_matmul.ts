import type { Dim, Node, Shape } from '../../../ir/index.js';
import { ceilDivDims, dimDivisibleBy, mulDims, shapeNumel, subDims } from '../../../ir/index.js';
import { broadcastCoords } from '../access.js';
import type { WgslType } from '../expr.js';
import { convert, expr, literal, toStorage } from '../expr.js';
import { KernelBuilder, unravel } from '../kernel_builder.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget } from '../kernel_types.js';
import { tiledGrid } from '../grid.js';
import { epilogueInPlace, lowerAroundAnchor } from './group_lowering.js';
import { sharedRows, subgroupShare } from './shared_rows.js';
import { storeTileRows } from './tile_store.js';
import type { TiledMatmulConfig } from './tile_configs.js';

/**
 * The register-tiled matmul template. Each invocation accumulates a TM×TN block of the output
 * in registers; its rows are consecutive, its columns strided by the workgroup width so that
 * neighbouring invocations read neighbouring addresses of B (coalesced on GPUs, vector loads on
 * a SIMD-per-lane CPU rasterizer like lavapipe) and share A's element (a broadcast).
 * Prologues (casts, transposes, scales of the operands) are read through the operands'
 * accesses inside the K loop; the epilogue (bias, activation, residual...) is evaluated per
 * output element on the accumulator before the single store.
 *
 * With `sg` set (one row of invocations, subgroups of at least `sg` lanes), lane `i` of each
 * subgroup reads A's element of row `i` (mod `sg`) and `subgroupBroadcast` shares it (see the
 * vec4 template for why).
 */

export const DEFAULT_MATMUL_CONFIG: TiledMatmulConfig = { wgX: 16, wgY: 4, tm: 4, tn: 4, unrollK: 1 };

/** The untuned choice for a device whose subgroups have at least `subgroupMinSize` lanes (0: none). */
export function defaultMatmulConfig(subgroupMinSize: number): TiledMatmulConfig {
  return subgroupMinSize >= 8 ? { wgX: subgroupMinSize, wgY: 1, tm: 16, tn: 4, unrollK: 1, sg: 8 } : DEFAULT_MATMUL_CONFIG;
}

/** The template computes the group when its anchor is a matmul of two matrices (rank ≥ 2). */
export function matchesTiledMatmul(group: KernelGroup): boolean {
  const anchor = group.anchor;
  if (!anchor || anchor.op !== 'matmul') return false;
  const [a, b] = anchor.inputs;
  if (a.type.shape.length < 2 || b.type.shape.length < 2) return false;
  const out = anchor.outputs[0].type.shape;
  const root = group.outputs[0].type.shape;
  return group.outputs.length === 1 && root.length === out.length && root.every((d, i) => d === out[i]) && shapeNumel(out) !== 0;
}

/** A matmul anchor's operand shapes and its M, N, K and batch dims (sizes or symbolic). */
export function matmulDims(anchor: Node): { lhsShape: Shape; rhsShape: Shape; m: Dim; n: Dim; k: Dim; batchShape: Shape } {
  const out = anchor.outputs[0].type.shape;
  const lhsShape = anchor.inputs[0].type.shape;
  const rhsShape = anchor.inputs[1].type.shape;
  const rank = out.length;
  return { lhsShape, rhsShape, m: out[rank - 2], n: out[rank - 1], k: lhsShape[lhsShape.length - 1], batchShape: out.slice(0, rank - 2) };
}

export function generateTiledMatmul(group: KernelGroup, config: TiledMatmulConfig, target: TemplateTarget): GeneratedKernel | null {
  const anchor = group.anchor as Node;
  const { lhsShape, rhsShape, m, n, k, batchShape } = matmulDims(anchor);
  const batches = shapeNumel(batchShape);
  const { wgX, wgY, tm, tn, unrollK } = config;
  const grid = tiledGrid([ceilDivDims(n, wgX * tn), ceilDivDims(m, wgY * tm), batches], target.maxWorkgroupsPerDimension);
  if (!grid) return null;

  const b = new KernelBuilder(target.aliases, target.sizeUniforms);
  const outType = anchor.outputs[0].type.dtype;
  const accType: WgslType = outType === 'f16' ? 'f32' : outType;
  const lowered = lowerAroundAnchor(b, group, anchor);
  const [lhs, rhs] = lowered.anchorInputs;

  const root = group.outputs[0];
  const outName = b.bind(root.id, root.type.dtype);
  b.line(`let tile_row0 = (wid.y * ${wgY}u + lid.y) * ${tm}u;`);
  b.line(`let tile_col0 = wid.x * ${wgX * tn}u + lid.x;`);
  const batchCoords = batchShape.length ? unravel(b, 'wid.z', batchShape) : [];
  const lhsBatch = broadcastCoords(batchCoords, lhsShape.slice(0, -2));
  const rhsBatch = broadcastCoords(batchCoords, rhsShape.slice(0, -2));
  const rows = sharedRows(b, tm, subgroupShare(config.sg, wgX, wgY, target.subgroupMinSize ?? 0), (offset) => b.let(expr(`min(tile_row0 + ${offset}, ${b.size(subDims(m, 1))})`, 'u32'), 'r').code);
  const cols = [...Array(tn).keys()].map((j) => b.let(expr(`min(tile_col0 + ${j * wgX}u, ${b.size(subDims(n, 1))})`, 'u32'), 'c').code);
  const acc = (i: number, j: number) => `acc_${i}_${j}`;
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`var ${acc(i, j)}: ${accType} = ${literal(0, accType).code};`);

  const body = (q: string) => {
    const as = rows.values(rows.loadRows.map((r) => convert(lhs.at([...lhsBatch, r, q]), accType)), accType);
    const bs = cols.map((c) => convert(rhs.at([...rhsBatch, q, c]), accType).code);
    for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`${acc(i, j)} = ${acc(i, j)} + ${as[i]} * ${bs[j]};`);
  };
  const unroll = dimDivisibleBy(k, unrollK, target.dimFacts) ? unrollK : 1;
  if (unroll === 1) b.loopDim(k, body);
  else {
    const bound = b.bakes(k) && k / unroll > 1 ? `${b.opaqueCount(k / unroll)} * ${unroll}u` : b.size(k);
    b.block(`for (var kk = 0u; kk < ${bound}; kk += ${unroll}u)`, () => {
      for (let u = 0; u < unroll; u++) b.block('', () => body(`(kk + ${u}u)`));
    });
  }

  const stored: string[][] = [];
  storeTileRows(b, { rows: tm, cols: tn, type: accType, acc }, (i, j, value) => {
    const row = `(tile_row0 + ${i})`;
    b.block(`if (${row} < ${b.size(m)} && tile_col0 + ${j * wgX}u < ${b.size(n)})`, () => {
      lowered.setCurrent(expr(value, accType));
      const coords = [...batchCoords, row, `(tile_col0 + ${j * wgX}u)`];
      stored.push(coords);
      const result = lowered.root.at(coords);
      b.line(`${outName}[wid.z * ${b.size(mulDims(m, n))} + ${row} * ${b.size(n)} + tile_col0 + ${j * wgX}u] = ${toStorage(result, root.type.dtype)};`);
    });
  });
  return { ...b.finish(group.nodes.map((nd) => nd.op).join('+'), 'tiled', [wgX, wgY, 1], grid), elementwiseInputs: epilogueInPlace(b, anchor, stored) };
}

export const TILED_MATMUL_TEMPLATE: KernelTemplate = {
  name: 'tiled_matmul',
  matches: matchesTiledMatmul,
  generate: (group, target, config) => generateTiledMatmul(group, config.matmulConfig?.(group) ?? defaultMatmulConfig(target.subgroupMinSize ?? 0), target),
};
