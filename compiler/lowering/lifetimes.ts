import type { Lifetime } from '../memory/arena.js';
import type { InPlaced } from './kernel_stages.js';
import type { LoweringOptions } from './options.js';
import { regionOf, representativeSizes, valueBytesAt, valuesById } from './values.js';

/** When a buffer is live: kernel indices, inclusive; -1 is before the first kernel, `kernels.length` after the last. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface WithLifetimes extends InPlaced {
  /**
   * Every value with storage of its own (arena, constants and states; not aliases), in the order
   * they are first used, with the steps it is live over. Placement lays regions out in this order.
   */
  readonly storage: ReadonlyMap<number, Span>;
  /** The arena's buffers, what the packer places (value id as key); symbolic sizes at `representative`. */
  readonly lifetimes: readonly Lifetime[];
  /** The sizes the symbolic dims are taken at for numbers in reports (empty for a static graph). */
  readonly representative: Readonly<Record<string, number>>;
}

/**
 * Lifetimes over the schedule: inputs from before step 0, outputs and state updates to the end.
 * A value computed in place extends its storage owner's lifetime.
 */
export function computeLifetimes(input: InPlaced, options: LoweringOptions): WithLifetimes {
  const { graph, groups, kernels, aliases } = input;
  const spans = new Map<number, { start: number; end: number }>();
  const touch = (valueId: number, step: number) => {
    const id = aliases.get(valueId) ?? valueId;
    const span = spans.get(id);
    if (span) {
      span.start = Math.min(span.start, step);
      span.end = Math.max(span.end, step);
    } else spans.set(id, { start: step, end: step });
  };
  const end = kernels.length;
  for (const v of graph.inputs) touch(v.id, -1);
  kernels.forEach((k, step) => k.bindings.forEach((id) => touch(id, step)));
  for (const v of graph.outputs) touch(v.id, end);
  for (const [state, next] of graph.stateUpdates) {
    touch(state.id, end);
    touch(next.id, end);
  }
  // An in-place output's own lifetime starts where it is written.
  groups.forEach((g, step) => g.outputs.forEach((v) => touch(v.id, step)));
  // States are laid out whether or not a kernel reads them, so readState works.
  for (const v of graph.states.keys()) touch(v.id, end);

  const byId = valuesById(graph);
  const representative = representativeSizes(graph, options.facts);
  const lifetimes: Lifetime[] = [];
  for (const [id, span] of spans) {
    const v = byId.get(id)!;
    if (regionOf(graph, v) === 'arena') lifetimes.push({ key: id, bytes: valueBytesAt(v, representative), start: span.start, end: span.end });
  }
  return { ...input, storage: spans, lifetimes, representative };
}
