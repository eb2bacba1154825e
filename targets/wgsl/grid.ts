import type { Dim } from '../../ir/index.js';

/**
 * A tiled kernel's grid, or null when a static count exceeds the device's per-axis limit (the
 * template then declines). A symbolic count is checked by the runtime once it is known.
 */
export function tiledGrid(grid: readonly [Dim, Dim, Dim], maxPerDim: number): [Dim, Dim, Dim] | null {
  return grid.some((g) => typeof g === 'number' && g > maxPerDim) ? null : [grid[0], grid[1], grid[2]];
}

export { gridFor } from '../../ir/grid.js';
