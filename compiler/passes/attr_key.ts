import type { Attrs, AttrValue, HostTensor } from '../../ir/index.js';

/** Content key of a small tensor; undefined past `maxElements` (too costly to compare). */
export function tensorKey(t: HostTensor, maxElements: number): string | undefined {
  if (t.data.length > maxElements) return undefined;
  return `${t.dtype}[${t.shape.join(',')}]:${Array.from(t.data, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}`;
}

function valueKey(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(',')}]`;
  if (typeof v === 'object') return `tensor(${tensorKey(v as HostTensor, Infinity)})`;
  return JSON.stringify(v);
}

/** A string equal for deep-equal attribute sets, whatever the key order. */
export function attrsKey(attrs: Attrs): string {
  return Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${valueKey(attrs[k])}`)
    .join(';');
}
