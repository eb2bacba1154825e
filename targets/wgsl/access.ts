import type { DType, Shape } from '../../ir/index.js';
import type { Expr } from './expr.js';
import type { KernelBuilder, TensorAccess } from './kernel_builder.js';

let nextAccessId = 0;

/**
 * A derived access: `compute(coords)` runs once per distinct coordinates in a scope (memoized
 * through the builder), so an access read twice costs one computation.
 */
export function derivedAccess(b: KernelBuilder, dtype: DType, shape: Shape, compute: (coords: readonly string[]) => Expr): TensorAccess {
  const id = nextAccessId++;
  return { dtype, shape, at: (coords) => b.memo(`a${id}(${coords.join(',')})`, () => b.let(compute(coords))) };
}

/** Maps coordinates of a broadcast result back to an input of lower rank or size-1 dims. */
export function broadcastCoords(coords: readonly string[], inputShape: Shape): string[] {
  const offset = coords.length - inputShape.length;
  return inputShape.map((d, i) => (d === 1 ? '0u' : coords[i + offset]));
}

/** Reads `input` as if broadcast to the coordinates of a larger result. */
export function readBroadcast(input: TensorAccess, coords: readonly string[]): Expr {
  return input.at(broadcastCoords(coords, input.shape));
}

/** An access that re-indexes another: coordinates of the result → coordinates of the source. */
export function reindex(source: TensorAccess, shape: Shape, map: (coords: readonly string[]) => readonly string[]): TensorAccess {
  return { dtype: source.dtype, shape, at: (coords) => source.at(map(coords)) };
}
