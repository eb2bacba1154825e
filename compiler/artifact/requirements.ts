import type { Plan, PlanRegion, PlanRequirements, StaticPlan } from '../../ir/index.js';
import { alignUp, asStaticPlan, bindPlan, regionBufferBytes, WORD_BYTES } from '../../ir/index.js';

/**
 * What a plan needs of an adapter, read off the plan itself rather than copied from the limits
 * it was compiled with: a model compiled on a big GPU still loads on a small one when it fits,
 * and when it does not, the loader can name the one limit that is short.
 */

/** WebGPU caps minStorageBufferOffsetAlignment at 256: every adapter offers 256 or better. */
const MAX_OFFSET_ALIGNMENT = 256;

/**
 * The sizes a plan's requirements are read at: a static plan's own; a symbolic plan's at the upper
 * bounds of its dims when every one is declared (the largest binding the plan admits), else only
 * its static parts (the runtime checks each binding against the adapter as it meets it).
 */
function sizedPlan(plan: Plan): StaticPlan | Pick<StaticPlan, 'tensors' | 'steps' | 'regionBytes'> {
  if (!plan.symbolic) return asStaticPlan(plan);
  const maxima = Object.entries(plan.symbolic.dims).map(([name, fact]) => [name, fact.max] as const);
  if (maxima.every(([, max]) => max !== undefined)) return bindPlan(plan, Object.fromEntries(maxima) as Record<string, number>, { maxWorkgroupsPerDimension: 65535 });
  const tensors = plan.tensors.filter((t): t is StaticPlan['tensors'][number] => typeof t.bytes === 'number' && t.region !== 'arena');
  const steps = plan.steps.filter((s): s is StaticPlan['steps'][number] => !s.splitGrid && s.dispatch.every((d) => typeof d === 'number'));
  return { tensors, steps, regionBytes: { ...plan.regionBytes, arena: 0 } };
}

export function derivePlanRequirements(plan: Plan): PlanRequirements {
  const limits: Record<string, number> = {};
  const atLeast = (name: string, value: number): void => {
    limits[name] = Math.max(limits[name] ?? 0, value);
  };
  const sized = sizedPlan(plan);

  const bound = new Set(plan.steps.flatMap((s) => s.tensors));
  for (const t of sized.tensors) {
    if (bound.has(t.id)) atLeast('maxStorageBufferBindingSize', alignUp(t.bytes, WORD_BYTES));
  }
  // Each region is one buffer, of the size the runtime gives it.
  for (const region of Object.keys(sized.regionBytes) as PlanRegion[]) atLeast('maxBufferSize', regionBufferBytes(sized.regionBytes[region]));

  for (const step of sized.steps) atLeast('maxComputeWorkgroupsPerDimension', Math.max(0, ...step.dispatch));
  for (const k of plan.kernels) {
    const [x, y, z] = k.workgroupSize;
    atLeast('maxComputeInvocationsPerWorkgroup', x * y * z);
    atLeast('maxComputeWorkgroupSizeX', x);
    atLeast('maxComputeWorkgroupSizeY', y);
    atLeast('maxComputeWorkgroupSizeZ', z);
    atLeast('maxStorageBuffersPerShaderStage', k.bindingCount);
    atLeast('maxBindingsPerBindGroup', k.bindingCount);
  }

  // The coarsest power of two dividing every bound offset: an adapter whose alignment is at most
  // that accepts every binding (a min* limit: the adapter's must not exceed it).
  // A symbolic plan's arena is packed at run time at the alignment it was compiled for.
  let alignment = plan.symbolic ? Math.min(MAX_OFFSET_ALIGNMENT, plan.symbolic.alignment) : MAX_OFFSET_ALIGNMENT;
  for (const t of sized.tensors) {
    if (!bound.has(t.id) || t.bytes === 0) continue;
    while (t.offset % alignment !== 0) alignment /= 2;
  }
  limits.minStorageBufferOffsetAlignment = alignment;

  // What the compiler itself declared wins where it is stricter.
  for (const [name, value] of Object.entries(plan.requirements.limits)) {
    if (name.startsWith('min')) limits[name] = Math.min(limits[name] ?? value, value);
    else atLeast(name, value);
  }
  return { features: [...new Set(plan.requirements.features)].sort(), limits };
}
