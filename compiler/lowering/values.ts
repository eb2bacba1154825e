import type { Graph, PlanRegion, StaticShape, Value } from '../../ir/index.js';
import { deviceBytes } from '../../ir/index.js';

/** What the later stages ask of the graph's values. */

/** Every value of the graph by id: inputs, constants, states, node outputs. */
export function valuesById(graph: Graph): Map<number, Value> {
  const byId = new Map<number, Value>();
  for (const v of [...graph.inputs, ...graph.constants.keys(), ...graph.states.keys()]) byId.set(v.id, v);
  for (const n of graph.nodes) for (const v of n.outputs) byId.set(v.id, v);
  return byId;
}

/** Bytes of device storage a value holds (its shape is static by the time stages ask). */
export function valueBytes(v: Value): number {
  return deviceBytes(v.type.dtype, v.type.shape as StaticShape);
}

/** The buffer a value lives in: weights in the constants, states in the states, the rest in the arena. */
export function regionOf(graph: Graph, v: Value): PlanRegion {
  return graph.constants.has(v) ? 'constants' : graph.states.has(v) ? 'states' : 'arena';
}

/** A value as the graph printer names it. */
export function valueName(v: Value): string {
  return `%${v.name || `v${v.id}`}`;
}
