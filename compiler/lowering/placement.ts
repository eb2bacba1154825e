import type { PlanConstant, PlanRegion, PlanTensor } from '../../ir/index.js';
import { OutOfMemoryError, slotBytes, UnsupportedOpError } from '../../ir/index.js';
import type { ArenaLayout } from '../memory/arena.js';
import { planArena } from '../memory/arena.js';
import type { WithLifetimes } from './lifetimes.js';
import type { LoweringOptions } from './options.js';
import { regionOf, valueBytes, valueBytesAt, valuesById } from './values.js';

/** The arena packed: buffers whose lifetimes are disjoint share bytes. */
export interface Packed extends WithLifetimes {
  readonly layout: ArenaLayout;
  /** The arena if every intermediate had its own buffer, in place or not. */
  readonly naiveBytes: number;
}

/** Every tensor in its region at its offset; tensor ids are still value ids (assembly makes them dense). */
export interface Placed extends Packed {
  readonly tensors: readonly PlanTensor[];
  readonly regionBytes: Readonly<Record<PlanRegion, number>>;
  readonly constants: readonly PlanConstant[];
  readonly states: readonly PlanConstant[];
}

export function pack(input: WithLifetimes, options: LoweringOptions): Packed {
  const { graph, storage, aliases, lifetimes } = input;
  const align = options.limits.minStorageBufferOffsetAlignment;
  const naiveBytes = [...valuesById(graph).values()]
    .filter((v) => regionOf(graph, v) === 'arena' && (storage.has(v.id) || aliases.has(v.id)))
    .reduce((sum, v) => sum + slotBytes(valueBytesAt(v, input.representative), align), 0);
  return { ...input, layout: planArena(lifetimes, align), naiveBytes };
}

/**
 * Arena tensors take the packer's offsets; constants and states are laid out one after another
 * in first-use order. Values computed in place share their storage owner's bytes. Every region's
 * size follows the one rule of ir/plan.ts (`slotBytes`), which the runtime checks plans by.
 */
export function place(input: Packed, options: LoweringOptions): Placed {
  const { graph, storage, layout, aliases } = input;
  const { limits } = options;
  const byId = valuesById(graph);
  const tensors: PlanTensor[] = [];
  const regionBytes: Record<PlanRegion, number> = { arena: layout.arenaBytes, constants: 0, states: 0 };
  const constants: PlanConstant[] = [];
  const states: PlanConstant[] = [];
  for (const id of storage.keys()) {
    const v = byId.get(id)!;
    const region = regionOf(graph, v);
    const bytes = valueBytes(v);
    if (typeof bytes !== 'number' && region !== 'arena') {
      throw new UnsupportedOpError(`${v.name || `value ${id}`}: a ${region === 'states' ? 'state' : 'constant'} must have a static shape, got ${v.type.shape.join(',')}`);
    }
    // Symbolic sizes are checked against the device when they are bound.
    if (typeof bytes === 'number' && bytes > limits.maxStorageBufferBindingSize) {
      throw new OutOfMemoryError(`${v.name || `value ${id}`}: ${bytes} bytes exceed the device's maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}`);
    }
    let offset: number;
    if (region === 'arena') offset = layout.offsets.get(id)!;
    else {
      offset = regionBytes[region];
      regionBytes[region] = offset + slotBytes(bytes as number, limits.minStorageBufferOffsetAlignment);
      const data = (region === 'constants' ? graph.constants : graph.states).get(v)!.data;
      (region === 'constants' ? constants : states).push({ tensor: id, data });
    }
    tensors.push({ id, name: v.name, dtype: v.type.dtype, shape: v.type.shape, bytes, region, offset });
  }
  const placed = new Map(tensors.map((t) => [t.id, t]));
  for (const [id, of] of aliases) {
    const v = byId.get(id)!;
    tensors.push({ ...placed.get(of)!, id, name: v.name, dtype: v.type.dtype, shape: v.type.shape, bytes: valueBytes(v) });
  }
  for (const r of ['arena', 'constants', 'states'] as const) {
    if (regionBytes[r] > limits.maxBufferSize) {
      throw new OutOfMemoryError(`the ${r} needs ${regionBytes[r]} bytes, more than the device's maxBufferSize ${limits.maxBufferSize}`);
    }
  }
  return { ...input, tensors, regionBytes, constants, states };
}
