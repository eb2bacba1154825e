import type { Graph, Plan, PlanTensor, Value } from '../../ir/index.js';
import { formatType } from '../../ir/index.js';
import type { FusedGroup } from '../fusion/partition.js';
import type { Assembled } from './assemble.js';
import type { Generated, InPlaced, Partitioned, Rematerialized, Scheduled, Viewed } from './kernel_stages.js';
import type { WithLifetimes } from './lifetimes.js';
import type { Packed, Placed } from './placement.js';
import { valueName, valuesById } from './values.js';

/**
 * Each stage's value as text (`--print-ir-after`): what the stage added, in the graph printer's
 * names (`%value`). Graph stages use the graph printer itself (ir/printer.ts).
 */

/** `1 kernel`, `4 kernels`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function nameById(graph: Graph): (id: number) => string {
  const byId = valuesById(graph);
  return (id) => {
    const v = byId.get(id);
    return v ? valueName(v) : `%v${id}`;
  };
}

function typed(v: Value): string {
  return `${valueName(v)}: ${formatType(v.type)}`;
}

/** `#i op 'node', op 'node' (anchor op) -> %out: type`, nodes in graph order. */
function groupLine(g: FusedGroup, index: number): string {
  const nodes = g.nodes.map((n) => `${n.op} '${n.name}'`).join(', ');
  const anchor = g.anchor ? ` (anchor ${g.anchor.op} '${g.anchor.name}')` : '';
  return `#${index} ${nodes}${anchor} -> ${g.outputs.map(typed).join(', ')}`;
}

export function describePartition(p: Partitioned): string {
  return [`${count(p.groups.length, 'kernel group')}, in graph order:`, ...p.groups.map(groupLine)].join('\n');
}

export function describeSchedule(s: Scheduled): string {
  return [`peak live bytes: ${s.schedulePeakBytes} (graph order: ${s.originalOrderPeakBytes}); run order:`, ...s.groups.map(groupLine)].join('\n');
}

export function describeRematerialized(r: Rematerialized): string {
  if (r.recomputed.length === 0) return 'nothing recomputed';
  const copies = new Set(r.recomputed);
  const lines = r.groups.map((g, i) => `${copies.has(g) ? 'recompute ' : ''}${groupLine(g, i)}`);
  return [`${count(r.recomputed.length, 'kernel')} recomputed; run order:`, ...lines].join('\n');
}

export function describeViews(v: Viewed): string {
  const name = nameById(v.graph);
  const views = [...v.views].map(([id, of]) => `view ${name(id)} of ${name(of)}`);
  return [...(views.length ? views : ['no views']), `${count(v.groups.length, 'kernel')}:`, ...v.groups.map(groupLine)].join('\n');
}

function kernelHeader(g: Generated, i: number): string {
  const name = nameById(g.graph);
  const k = g.kernels[i];
  return `#${i} ${k.name}: workgroup [${k.workgroupSize.join(',')}], dispatch [${k.dispatch.join(',')}], bindings ${k.bindings.map(name).join(' ')}`;
}

/** Every kernel's header and WGSL. */
export function describeKernels(g: Generated): string {
  return g.kernels.map((k, i) => `${kernelHeader(g, i)}\n${k.wgsl.trimEnd()}`).join('\n\n');
}

/** The outputs written over their inputs, and the kernels generated again for them (headers only). */
export function describeInPlace(p: InPlaced): string {
  const name = nameById(p.graph);
  const inPlace = [...p.aliases].filter(([id]) => !p.views.has(id));
  if (inPlace.length === 0) return 'no outputs in place';
  const lines = inPlace.map(([id, of]) => `${name(id)} in place of ${name(of)}`);
  const again = p.groups.flatMap((g, i) => (g.outputs.some((v) => p.aliases.has(v.id) && !p.views.has(v.id)) ? [kernelHeader(p, i)] : []));
  return [...lines, 'kernels generated again:', ...again].join('\n');
}

/** Arena buffers in first-use order: bytes and the steps they are live over. */
export function describeLifetimes(l: WithLifetimes): string {
  const name = nameById(l.graph);
  const lines = l.lifetimes.map((t) => `${name(t.key)}: ${t.bytes} B, steps ${t.start}..${t.end}`);
  return [`${count(l.lifetimes.length, 'arena buffer')} over ${count(l.kernels.length, 'step')} (-1: before the first, ${l.kernels.length}: after the last):`, ...lines].join('\n');
}

/** The arena by offset, with the packer's numbers. */
export function describeArena(p: Packed): string {
  const name = nameById(p.graph);
  const { layout } = p;
  const byKey = new Map(p.lifetimes.map((l) => [l.key, l]));
  const rows = [...layout.offsets].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return [
    `arena ${layout.arenaBytes} B (lower bound ${layout.lowerBoundBytes} B, naive ${p.naiveBytes} B), packer ${layout.packer}:`,
    ...rows.map(([key, offset]) => {
      const l = byKey.get(key)!;
      return `@${offset} ${name(key)}: ${l.bytes} B, steps ${l.start}..${l.end}`;
    }),
  ].join('\n');
}

function tensorLine(t: PlanTensor, name: (id: number) => string): string {
  return `@${t.offset} ${name(t.id)}: ${t.dtype}[${t.shape.join(',')}], ${t.bytes} B`;
}

/** Each region's size and its tensors by offset; a value computed in place shares its owner's offset. */
export function describePlacement(p: Placed): string {
  const name = nameById(p.graph);
  const lines: string[] = [];
  for (const region of ['arena', 'constants', 'states'] as const) {
    const inRegion = p.tensors.filter((t) => t.region === region).sort((a, b) => a.offset - b.offset || a.id - b.id);
    lines.push(`${region}: ${p.regionBytes[region]} B`, ...inRegion.map((t) => `  ${tensorLine(t, name)}${p.aliases.has(t.id) ? ` (storage of ${name(p.aliases.get(t.id)!)})` : ''}`));
  }
  return lines.join('\n');
}

/** The plan as the runtime sees it: tensors by dense id, kernels, steps, signature and requirements (no WGSL: see codegen). */
export function describePlan(a: Assembled): string {
  return formatPlan(a.plan);
}

export function formatPlan(plan: Plan): string {
  const tensor = (id: number) => `t${id}`;
  const r = plan.regionBytes;
  const limits = Object.entries(plan.requirements.limits).map(([k, v]) => `${k} ${v}`);
  return [
    `plan '${plan.name}': ${count(plan.steps.length, 'step')}, ${count(plan.kernels.length, 'kernel')}; arena ${r.arena} B, constants ${r.constants} B, states ${r.states} B`,
    'tensors:',
    ...plan.tensors.map((t) => `  t${t.id} '${t.name}': ${t.dtype}[${t.shape.join(',')}], ${t.region} @${t.offset}, ${t.bytes} B`),
    'kernels:',
    ...plan.kernels.map((k, i) => `  k${i} ${k.name}: workgroup [${k.workgroupSize.join(',')}], ${k.bindingCount} bindings`),
    'steps:',
    ...plan.steps.map((s, i) => `  ${i}: k${s.kernel} [${s.dispatch.join(',')}] (${s.tensors.map(tensor).join(' ')}) ${s.label}`),
    `inputs: ${plan.inputs.map((io) => `${io.name}=${tensor(io.tensor)}`).join(', ') || 'none'}`,
    `outputs: ${plan.outputs.map((io) => `${io.name}=${tensor(io.tensor)}`).join(', ') || 'none'}`,
    `state updates: ${plan.stateUpdates.map((u) => `${tensor(u.state)} <- ${tensor(u.from)}`).join(', ') || 'none'}`,
    `memory: naive ${plan.memory.naiveBytes} B, arena ${plan.memory.arenaBytes} B, lower bound ${plan.memory.lowerBoundBytes} B`,
    `requirements: ${[...plan.requirements.features, ...limits].join(', ') || 'none'}`,
  ].join('\n');
}
