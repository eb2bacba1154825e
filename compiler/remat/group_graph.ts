import type { Value } from '../../ir/index.js';
import type { FusedGroup } from '../fusion/partition.js';
import { groupInputs } from '../schedule/order.js';

/** A schedule's groups as a graph: which group writes each value, and which read it (in run order). */
export interface GroupGraph {
  readonly producer: ReadonlyMap<Value, FusedGroup>;
  readonly readers: ReadonlyMap<Value, readonly FusedGroup[]>;
}

export function groupGraph(groups: readonly FusedGroup[]): GroupGraph {
  const producer = new Map<Value, FusedGroup>();
  const readers = new Map<Value, FusedGroup[]>();
  for (const g of groups) {
    for (const v of g.outputs) producer.set(v, g);
    for (const v of groupInputs(g)) pushTo(readers, v, g);
  }
  return { producer, readers };
}

/** Appends to the list a map holds under `key`, starting one where there is none. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, item: V): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
