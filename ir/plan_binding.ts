import { planArena } from './arena_packing.js';
import type { Dim, DimBindings, DimFact } from './dim_expr.js';
import { dimSymbols, evaluateDim } from './dim_expr.js';
import { ArtifactError, ShapeError } from './errors.js';
import { gridFor } from './grid.js';
import type { Plan, PlanMemory, PlanRegion, StaticPlan, StaticPlanStep, StaticPlanTensor } from './plan.js';
import { deviceBytes, slotBytes } from './plan.js';
import { formatShape } from './shape.js';

/**
 * A plan at one binding of its symbols: every shape, byte count, dispatch and kernel size slot
 * evaluated, and the arena packed for those sizes by the compiler's own packer (so the arena keeps
 * the lower-bound quality of a static compile at every size). The runtime binds once per distinct
 * binding and caches the result; `inspect --plan` shows a plan at the dims it is given.
 */

/** The symbols a plan's sizes mention, sorted. */
export function planSymbolNames(plan: Plan): string[] {
  return plan.symbolic ? Object.keys(plan.symbolic.dims).sort() : [];
}

/** A canonical key of a binding (for caches): the plan's symbols in order with their sizes. */
export function bindingKey(plan: Plan, dims: DimBindings): string {
  return planSymbolNames(plan)
    .map((s) => `${s}=${evaluateDim(s, dims)}`)
    .join(',');
}

/** Checks one symbol's size against its facts; the message names the dim and says where the size came from. */
export function checkDimFact(name: string, size: number, fact: DimFact | undefined, from: string): void {
  if (!Number.isSafeInteger(size)) throw new ShapeError(`dim '${name}' = ${size}${from}: not a whole number`);
  if (size < 1) throw new ShapeError(`dim '${name}' = ${size}${from}: a symbolic dim must be ≥ 1 (an empty tensor needs a plan compiled with a static size)`);
  if (fact?.min !== undefined && size < fact.min) throw new ShapeError(`dim '${name}' = ${size}${from} is below its declared minimum ${fact.min}`);
  if (fact?.max !== undefined && size > fact.max) throw new ShapeError(`dim '${name}' = ${size}${from} is above its declared maximum ${fact.max}`);
  if (fact?.multipleOf !== undefined && size % fact.multipleOf !== 0) throw new ShapeError(`dim '${name}' = ${size}${from} is not a multiple of ${fact.multipleOf}, as declared`);
}

export interface BindOptions {
  /** The device's per-axis workgroup limit: 1-D grids past it are split into 2-D. */
  readonly maxWorkgroupsPerDimension: number;
}

/** A static plan as the StaticPlan it is (an ArtifactError if any size is symbolic: such a plan must be bound). */
export function asStaticPlan(plan: Plan): StaticPlan {
  const symbolic = plan.tensors.find((t) => typeof t.bytes !== 'number' || t.shape.some((d) => typeof d !== 'number'));
  const step = plan.steps.find((s) => s.dispatch.some((d) => typeof d !== 'number') || s.splitGrid || (s.sizes ?? []).some((d) => typeof d !== 'number'));
  if (symbolic || step || plan.symbolic) {
    throw new ArtifactError(`plan '${plan.name}': has symbolic sizes (${symbolic ? `tensor '${symbolic.name}' ${formatShape(symbolic.shape)}` : `step '${step?.label ?? ''}'`}) but no binding`);
  }
  return plan as StaticPlan;
}

/**
 * The plan with its symbols bound to `dims` (every symbol must be; facts are checked). A tensor
 * whose size comes out negative (an input too small for a window, say) is a ShapeError naming it.
 */
export function bindPlan(plan: Plan, dims: DimBindings, options: BindOptions): StaticPlan {
  const symbols = plan.symbolic;
  if (!symbols) return asStaticPlan(plan);
  const where = `plan '${plan.name}'`;
  const value = (name: string): number | undefined => (dims instanceof Map ? dims.get(name) : (dims as Readonly<Record<string, number>>)[name]);
  for (const [name, fact] of Object.entries(symbols.dims)) {
    const size = value(name);
    if (size === undefined) throw new ShapeError(`${where}: symbolic dim '${name}' is not bound`);
    checkDimFact(name, size, fact, '');
  }
  const evaluate = (d: Dim, what: string) => evaluateDim(d, dims, `${where}, ${what}`);
  for (const c of symbols.constraints ?? []) {
    const value = evaluate(c.dim, 'a constraint');
    if (value < c.min) throw new ShapeError(`${c.what}: ${c.dim} = ${value} at ${describeBinding(dims, dimSymbols(c.dim))}, below ${c.min}`);
  }

  const tensors: StaticPlanTensor[] = plan.tensors.map((t) => {
    const shape = t.shape.map((d) => evaluate(d, `tensor '${t.name}'`));
    if (shape.some((d) => d < 0)) {
      const symbolic = t.shape.find((d) => typeof d === 'string');
      throw new ShapeError(`${where}: tensor '${t.name}' ${formatShape(t.shape)} would have shape ${formatShape(shape)} at ${describeBinding(dims, dimSymbols(symbolic ?? 0))}: an input is too small for it`);
    }
    return { ...t, shape, bytes: deviceBytes(t.dtype, shape) };
  });

  // The arena: owners packed at these sizes, aliases at their owner's offset.
  const lifetimes = symbols.arena.map((l) => ({ key: l.tensor, bytes: tensors[l.tensor].bytes, start: l.start, end: l.end }));
  const layout = planArena(lifetimes, symbols.alignment);
  const placed = tensors.map((t) => (t.region === 'arena' && layout.offsets.has(t.id) ? { ...t, offset: layout.offsets.get(t.id)! } : t));
  for (const [tensor, owner] of symbols.aliases) placed[tensor] = { ...placed[tensor], offset: placed[owner].offset };

  const steps: StaticPlanStep[] = plan.steps.map(({ sizes, dispatch, splitGrid, ...step }) => {
    const what = `step '${step.label}'`;
    const counts = dispatch.map((d) => Math.max(0, evaluate(d, what))) as [number, number, number];
    const bound: StaticPlanStep = { ...step, dispatch: splitGrid ? gridFor(counts[0], options.maxWorkgroupsPerDimension) : counts };
    return sizes ? { ...bound, sizes: sizes.map((d) => evaluate(d, what)) } : bound;
  });
  const regionBytes: Record<PlanRegion, number> = { ...plan.regionBytes, arena: layout.arenaBytes };
  // Naive: every arena tensor in its own buffer, views and in-place results included (as the compiler counts it).
  const naiveBytes = tensors.filter((t) => t.region === 'arena').reduce((sum, t) => sum + slotBytes(t.bytes, symbols.alignment), 0);
  const memory: PlanMemory = { naiveBytes, arenaBytes: layout.arenaBytes, lowerBoundBytes: layout.lowerBoundBytes };
  return { ...plan, tensors: placed, steps, regionBytes, memory, symbolic: undefined };
}

/** `N=3, S=17` for messages. */
export function describeBinding(dims: DimBindings, names?: readonly string[]): string {
  const entries = dims instanceof Map ? [...dims] : Object.entries(dims);
  return entries
    .filter(([n]) => !names || names.length === 0 || names.includes(n))
    .map(([n, v]) => `${n}=${v}`)
    .join(', ');
}

/** Every symbol a plan's tensors and steps mention (what `symbolic.dims` lists for a compiled plan). */
export function symbolsOfPlan(plan: Pick<Plan, 'tensors' | 'steps'>): string[] {
  const found = new Set<string>();
  for (const t of plan.tensors) for (const d of t.shape) for (const s of dimSymbols(d)) found.add(s);
  for (const s of plan.steps) for (const d of [...s.dispatch, ...(s.sizes ?? [])]) for (const n of dimSymbols(d)) found.add(n);
  return [...found].sort();
}
