import type { DimBindings, Value } from '../../ir/index.js';
import { deviceBytes, evaluateShape } from '../../ir/index.js';
import type { FusedGroup } from '../fusion/partition.js';

/**
 * A memory-aware topological order of kernels. Greedy list scheduling: among the kernels whose
 * inputs are ready, run the one that raises the peak least (its outputs are allocated while its
 * inputs are still live), then the one that grows live memory least (bytes it allocates minus
 * bytes whose last reader it is), ties going to the original order. The result is kept only when
 * its peak is lower than the original order's: the heuristic never makes things worse.
 */
export interface ScheduleResult {
  readonly order: FusedGroup[];
  readonly peakBytes: number;
  readonly originalPeakBytes: number;
}

/** A value's bytes, its symbolic dims (if any) weighed at `sizes`. */
function bytesOf(v: Value, sizes: DimBindings): number {
  return deviceBytes(v.type.dtype, evaluateShape(v.type.shape, sizes));
}

/** External inputs of a group: values it reads that other groups (or the graph) produce. */
export function groupInputs(g: FusedGroup): Value[] {
  const inside = new Set(g.nodes.flatMap((n) => n.outputs));
  return [...new Set(g.nodes.flatMap((n) => n.inputs).filter((v) => !inside.has(v)))];
}

/** Peak of live arena bytes over an order (values produced by groups; `pinned` live to the end). */
export function peakLiveBytes(order: readonly FusedGroup[], pinned: ReadonlySet<Value>, external: ReadonlySet<Value>, sizes: DimBindings = {}): number {
  const bytes = (v: Value) => bytesOf(v, sizes);
  const lastUse = new Map<Value, number>();
  order.forEach((g, i) => groupInputs(g).forEach((v) => lastUse.set(v, i)));
  let live = [...external].reduce((s, v) => s + bytes(v), 0);
  let peak = live;
  order.forEach((g, i) => {
    for (const v of g.outputs) live += bytes(v);
    peak = Math.max(peak, live);
    for (const v of groupInputs(g)) {
      if (lastUse.get(v) === i && !pinned.has(v) && (external.has(v) || v.producer)) live -= bytes(v);
    }
    for (const v of g.outputs) if (!lastUse.has(v) && !pinned.has(v)) live -= bytes(v);
  });
  return peak;
}

export function scheduleForMemory(groups: readonly FusedGroup[], pinned: ReadonlySet<Value>, external: ReadonlySet<Value>, sizes: DimBindings = {}): ScheduleResult {
  const bytes = (v: Value) => bytesOf(v, sizes);
  const producerGroup = new Map<Value, FusedGroup>();
  for (const g of groups) for (const v of g.outputs) producerGroup.set(v, g);
  const inputs = new Map(groups.map((g) => [g, groupInputs(g)]));
  const readers = new Map<Value, number>();
  for (const g of groups) for (const v of inputs.get(g)!) readers.set(v, (readers.get(v) ?? 0) + 1);

  const position = new Map(groups.map((g, i) => [g, i]));
  const waiting = new Map(groups.map((g) => [g, inputs.get(g)!.filter((v) => producerGroup.has(v)).length]));
  const consumersOf = new Map<FusedGroup, FusedGroup[]>();
  for (const g of groups) {
    for (const v of inputs.get(g)!) {
      const p = producerGroup.get(v);
      if (p) consumersOf.set(p, [...(consumersOf.get(p) ?? []), g]);
    }
  }
  const ready = groups.filter((g) => waiting.get(g) === 0);
  const remainingReaders = new Map(readers);
  const order: FusedGroup[] = [];
  let live = [...external].reduce((s, v) => s + bytes(v), 0);
  let peak = live;
  const score = (g: FusedGroup): [number, number, number] => {
    const allocated = g.outputs.reduce((s, v) => s + bytes(v), 0);
    let freed = 0;
    for (const v of inputs.get(g)!) if (remainingReaders.get(v) === 1 && !pinned.has(v) && (v.producer || external.has(v))) freed += bytes(v);
    return [Math.max(peak, live + allocated), allocated - freed, position.get(g)!];
  };
  const better = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  while (ready.length) {
    let best = 0;
    let bestScore = score(ready[0]);
    for (let i = 1; i < ready.length; i++) {
      const s = score(ready[i]);
      if (better(s, bestScore) < 0) {
        best = i;
        bestScore = s;
      }
    }
    const g = ready.splice(best, 1)[0];
    order.push(g);
    peak = bestScore[0];
    live += bestScore[1];
    for (const v of inputs.get(g)!) remainingReaders.set(v, remainingReaders.get(v)! - 1);
    for (const c of consumersOf.get(g) ?? []) {
      const w = waiting.get(c)! - 1;
      waiting.set(c, w);
      if (w === 0) ready.push(c);
    }
  }
  const originalPeakBytes = peakLiveBytes(groups, pinned, external, sizes);
  const peakBytes = peakLiveBytes(order, pinned, external, sizes);
  return peakBytes < originalPeakBytes ? { order, peakBytes, originalPeakBytes } : { order: [...groups], peakBytes: originalPeakBytes, originalPeakBytes };
}
