import type { DimFacts } from '../../../ir/index.js';
import type { KernelGroup, KernelTemplate } from '../kernel_types.js';
import type { TiledMatmulConfig, Vec4MatmulConfig } from './tile_configs.js';
import { generateTiledMatmul, matchesTiledMatmul, matmulDims } from './tiled_matmul.js';
import { generateVec4Matmul, matchesVec4Matmul } from './vec4_matmul.js';

/**
 * Matmuls of one row (M = 1: a decode step's projections, its attention over the cache): the
 * matmul templates with one row per invocation. Their defaults tile TM = 8 or 16 rows per
 * invocation, which at M = 1 are the same row clamped: TM× the multiply-adds for one row of
 * results. With TM = 1 each invocation reads its columns of B once and does only the row's work.
 * A tuned configuration (`--tune`) for the group still wins: the template then declines.
 */

/** vec4 columns, one per invocation, 64 neighbouring columns per workgroup. */
export const ROW_VEC4_MATMUL_CONFIG: Vec4MatmulConfig = { wgX: 64, wgY: 1, tm: 1, tn4: 1 };
/**
 * Scalar columns, 4 per invocation (each A element loaded once for 4 multiply-adds), a subgroup's
 * width of invocations per workgroup (as the tiled default), so that a narrow N (a head's
 * dimension, 32) leaves few idle invocations. At T = 800 on lavapipe, paired per-token times of
 * a decode step: 22.0 ms with 8 × 4 columns, 23.9 with 16 × 4, 34.6 with 64 × 1, 24.7 leaving
 * the scalar matmuls to the tiled default (16 clamped rows, subgroup-shared).
 */
export function rowMatmulConfig(subgroupMinSize: number): TiledMatmulConfig {
  return { wgX: subgroupMinSize >= 8 ? subgroupMinSize : 16, wgY: 1, tm: 1, tn: 4, unrollK: 1 };
}

function matchesRowMatmul(group: KernelGroup): boolean {
  return matchesTiledMatmul(group) && matmulDims(group.anchor!).m === 1;
}

export const ROW_MATMUL_TEMPLATE: KernelTemplate = {
  name: 'row_matmul',
  matches: (group: KernelGroup, _facts?: DimFacts) => matchesRowMatmul(group),
  generate: (group, target, config) => {
    if (matchesVec4Matmul(group, target.dimFacts)) return config.vec4MatmulConfig?.(group) ? null : generateVec4Matmul(group, ROW_VEC4_MATMUL_CONFIG, target);
    return config.matmulConfig?.(group) ? null : generateTiledMatmul(group, rowMatmulConfig(target.subgroupMinSize ?? 0), target);
  },
};
