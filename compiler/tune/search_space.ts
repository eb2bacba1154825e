import type { StaticShape } from '../../ir/index.js';
import type { TiledConvConfig, TiledMatmulConfig, Vec4MatmulConfig } from '../../targets/wgsl/templates/tile_configs.js';

/**
 * Small configuration spaces per template, pruned by shape: no tile larger than the problem,
 * workgroups within the device's invocation limit. Small on purpose: each candidate costs a
 * pipeline compile and a few timed runs on the real adapter.
 */
const WORKGROUPS: readonly [number, number][] = [
  [64, 1],
  [32, 2],
  [16, 4],
  [8, 8],
  [16, 16],
];

export function matmulCandidates(m: number, n: number, maxInvocations: number): TiledMatmulConfig[] {
  const out: TiledMatmulConfig[] = [];
  for (const [wgX, wgY] of WORKGROUPS) {
    if (wgX * wgY > maxInvocations) continue;
    for (const [tm, tn] of [
      [4, 4],
      [8, 4],
      [4, 8],
      [2, 4],
    ] as const) {
      if (tm > Math.max(m, 1) * 2 || tn > Math.max(n, 1) * 2) continue;
      for (const unrollK of [1, 4]) out.push({ wgX, wgY, tm, tn, unrollK });
    }
  }
  return out;
}

export function vec4MatmulCandidates(m: number, n: number, maxInvocations: number, subgroupMinSize = 0): Vec4MatmulConfig[] {
  const out: Vec4MatmulConfig[] = [];
  // Rows shared through subgroup broadcasts (one row of invocations), where the device has them.
  if (subgroupMinSize >= 8) {
    for (const wgX of [64, 32, 16, 8]) {
      if (wgX > maxInvocations) continue;
      for (const tm of [8, 16, 24, 32]) if (tm <= Math.max(m, 1) * 2) out.push({ wgX, wgY: 1, tm, tn4: 1, sg: 8 });
    }
  }
  for (const [wgX, wgY] of WORKGROUPS) {
    if (wgX * wgY > maxInvocations) continue;
    for (const [tm, tn4] of [
      [4, 1],
      [8, 1],
      [16, 1],
      [4, 2],
      [2, 2],
      [1, 2],
    ] as const) {
      if (tm > Math.max(m, 1) * 2 || tn4 * 4 > Math.max(n, 4) * 2) continue;
      out.push({ wgX, wgY, tm, tn4 });
    }
  }
  return out;
}

export function convCandidates(outShape: StaticShape, channelsPerGroup: number, maxInvocations: number, subgroupMinSize = 0): TiledConvConfig[] {
  const out: TiledConvConfig[] = [];
  // Weights shared through subgroup broadcasts; narrow workgroups for convs with few pixels.
  if (subgroupMinSize >= 8 && channelsPerGroup >= 8) {
    for (const wgX of [64, 32, 16, 8]) {
      if (wgX > maxInvocations) continue;
      for (const [tm, tn] of [
        [8, 4],
        [8, 8],
        [16, 4],
        [16, 2],
      ] as const) {
        if (tm <= channelsPerGroup * 2) out.push({ wgX, wgY: 1, tm, tn, sg: 8 });
      }
    }
  }
  for (const [wgX, wgY] of WORKGROUPS) {
    if (wgX * wgY > maxInvocations) continue;
    for (const [tm, tn] of [
      [4, 4],
      [8, 2],
      [8, 1],
      [16, 1],
      [2, 8],
      [1, 4],
      [4, 1],
    ] as const) {
      if (tm > channelsPerGroup * 2 || (wgY > 1 && channelsPerGroup < 4)) continue;
      out.push({ wgX, wgY, tm, tn });
    }
  }
  void outShape;
  return out;
}
