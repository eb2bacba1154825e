import type { Expr, WgslType } from '../expr.js';
import { expr } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';

/**
 * The rows of a register tile (matmul's A rows, a conv's weights, dy in the weight gradient):
 * every invocation of a one-row workgroup needs the same TM values per reduction step. Where the
 * device's subgroups have at least `sg` lanes, lane l of each subgroup loads rows l, l + sg, ...
 * and `subgroupBroadcast` hands each value to the others: on SIMD-per-lane rasterizers
 * (lavapipe) a uniform storage load costs a bounds-checked branch per component, a broadcast
 * one shuffle. Otherwise each invocation loads all TM rows itself.
 */
export interface SharedRows {
  /** Where to load: one row expression per load (⌈TM/sg⌉ when shared, TM otherwise). */
  readonly loadRows: readonly string[];
  /** The TM row values of this step from the values loaded at `loadRows`. */
  values(loaded: readonly Expr[], type: WgslType): string[];
}

/** The lanes per shared load a config may use here: its `sg`, or 0 where sharing cannot work. */
export function subgroupShare(sg: number | undefined, wgX: number, wgY: number, subgroupMinSize: number): number {
  return sg && wgY === 1 && subgroupMinSize >= sg && wgX % sg === 0 ? sg : 0;
}

/** A name for `e`: itself when it already is one, else a new `let` (each value is used TN times). */
function named(b: KernelBuilder, e: Expr): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.code) ? e.code : b.let(e, 'row').code;
}

/** `rowAt(offset)`: the (clamped) row index expression of the tile's row `offset`. */
export function sharedRows(b: KernelBuilder, tm: number, sg: number, rowAt: (offset: string) => string): SharedRows {
  if (!sg) return { loadRows: [...Array(tm).keys()].map((i) => rowAt(`${i}u`)), values: (loaded) => loaded.map((e) => named(b, e)) };
  const lane = b.subgroupLane(sg);
  return {
    loadRows: [...Array(Math.ceil(tm / sg)).keys()].map((l) => rowAt(`${l * sg}u + ${lane} % ${sg}u`)),
    values: (loaded, type) => {
      const names = loaded.map((e) => named(b, e));
      return [...Array(tm).keys()].map((i) => b.let(expr(`subgroupBroadcast(${names[Math.floor(i / sg)]}, ${i % sg}u)`, type), 'sb').code);
    },
  };
}
