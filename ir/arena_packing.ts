import { slotBytes } from './plan.js';

/**
 * Offset packing of tensors into one arena, given their lifetimes over the schedule.
 *
 * Each buffer lives over [start, end] (schedule step indices, inclusive). Two buffers may share
 * bytes only if their lifetimes are disjoint. The lower bound on any packing is the largest sum
 * of sizes live at one step; the packers below are the classic heuristics (TFLite's greedy by
 * size, greedy by lifetime start); we try several orders and keep the smallest arena. Every size
 * here is a tensor's slot (`slotBytes` in ir/plan.ts: whole words, at least one, aligned).
 */
export interface Lifetime {
  readonly key: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
}

export interface ArenaLayout {
  readonly offsets: Map<number, number>;
  readonly arenaBytes: number;
  readonly lowerBoundBytes: number;
  readonly naiveBytes: number;
  readonly packer: string;
}

/** The max over steps of bytes live at once (slots as they are allocated). */
export function liveLowerBound(lifetimes: readonly Lifetime[], alignment: number): number {
  const events: [number, number][] = [];
  for (const l of lifetimes) {
    const size = slotBytes(l.bytes, alignment);
    events.push([l.start, size], [l.end + 1, -size]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let peak = 0;
  for (const [, delta] of events) {
    live += delta;
    peak = Math.max(peak, live);
  }
  return peak;
}

function overlaps(a: Lifetime, b: Lifetime): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Places buffers in the given order, each at the lowest offset free over its whole lifetime. */
function packInOrder(order: readonly Lifetime[], alignment: number): { offsets: Map<number, number>; bytes: number } {
  const placed: { l: Lifetime; offset: number; size: number }[] = [];
  const offsets = new Map<number, number>();
  let top = 0;
  for (const l of order) {
    const size = slotBytes(l.bytes, alignment);
    const conflicts = placed.filter((p) => overlaps(p.l, l)).sort((a, b) => a.offset - b.offset);
    // Best fit: the smallest gap between live neighbours that holds it, else the end.
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const p of conflicts) {
      const gap = p.offset - cursor;
      if (gap >= size && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor = Math.max(cursor, p.offset + p.size);
    }
    const offset = best >= 0 ? best : cursor;
    placed.push({ l, offset, size });
    offsets.set(l.key, offset);
    top = Math.max(top, offset + size);
  }
  return { offsets, bytes: top };
}

export function planArena(lifetimes: readonly Lifetime[], alignment: number): ArenaLayout {
  const orders: [string, Lifetime[]][] = [
    ['greedy-by-size', [...lifetimes].sort((a, b) => b.bytes - a.bytes || a.start - b.start)],
    ['greedy-by-start', [...lifetimes].sort((a, b) => a.start - b.start || b.bytes - a.bytes)],
    ['greedy-by-length', [...lifetimes].sort((a, b) => b.end - b.start - (a.end - a.start) || b.bytes - a.bytes)],
    ['greedy-by-area', [...lifetimes].sort((a, b) => b.bytes * (b.end - b.start + 1) - a.bytes * (a.end - a.start + 1))],
  ];
  let best: ArenaLayout | null = null;
  for (const [packer, order] of orders) {
    const { offsets, bytes } = packInOrder(order, alignment);
    if (!best || bytes < best.arenaBytes) {
      best = { offsets, arenaBytes: bytes, packer, lowerBoundBytes: 0, naiveBytes: 0 };
    }
  }
  const naiveBytes = lifetimes.reduce((s, l) => s + slotBytes(l.bytes, alignment), 0);
  return { ...best!, lowerBoundBytes: liveLowerBound(lifetimes, alignment), naiveBytes };
}
