import type { Dim, DimBindings, DimFacts, Graph, PlanRegion, Value } from '../../ir/index.js';
import { deviceBytes, deviceBytesDim, evaluateShape, shapeSymbols } from '../../ir/index.js';

/** What the later stages ask of the graph's values. */

/** Every value of the graph by id: inputs, constants, states, node outputs. */
export function valuesById(graph: Graph): Map<number, Value> {
  const byId = new Map<number, Value>();
  for (const v of [...graph.inputs, ...graph.constants.keys(), ...graph.states.keys()]) byId.set(v.id, v);
  for (const n of graph.nodes) for (const v of n.outputs) byId.set(v.id, v);
  return byId;
}

/** Bytes of device storage a value holds: a number, or an expression of the symbolic dims. */
export function valueBytes(v: Value): Dim {
  return deviceBytesDim(v.type.dtype, v.type.shape);
}

/** Bytes of a value at a binding of the symbols (its size when static). */
export function valueBytesAt(v: Value, sizes: DimBindings): number {
  return deviceBytes(v.type.dtype, evaluateShape(v.type.shape, sizes, `value ${valueName(v)}`));
}

/** The symbolic dims the graph's values still have, sorted. */
export function graphSymbols(graph: Graph): string[] {
  return shapeSymbols([...valuesById(graph).values()].map((v) => v.type.shape));
}

/** The size a symbol is taken at where the compiler needs numbers (schedule, reports): its upper bound if declared, else 64. */
export const REPRESENTATIVE_SIZE = 64;

/**
 * Sizes for the graph's symbols at which heuristics weigh buffers (the memory schedule) and reports
 * show numbers: the declared maximum, else 64 within the declared bounds. The runtime packs the
 * arena again for every binding; only the order of kernels is fixed here.
 */
export function representativeSizes(graph: Graph, facts: DimFacts): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const s of graphSymbols(graph)) {
    const f = facts[s];
    sizes[s] = f?.max ?? Math.max(f?.min ?? 1, REPRESENTATIVE_SIZE);
    if (f?.multipleOf && sizes[s] % f.multipleOf !== 0) sizes[s] = Math.ceil(sizes[s] / f.multipleOf) * f.multipleOf;
  }
  return sizes;
}

/** The buffer a value lives in: weights in the constants, states in the states, the rest in the arena. */
export function regionOf(graph: Graph, v: Value): PlanRegion {
  return graph.constants.has(v) ? 'constants' : graph.states.has(v) ? 'states' : 'arena';
}

/** A value as the graph printer names it. */
export function valueName(v: Value): string {
  return `%${v.name || `v${v.id}`}`;
}
