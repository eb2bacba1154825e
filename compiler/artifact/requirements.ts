import type { Plan, PlanRegion, PlanRequirements } from '../../ir/index.js';
import { alignUp, regionBufferBytes, WORD_BYTES } from '../../ir/index.js';

/**
 * What a plan needs of an adapter, read off the plan itself rather than copied from the limits
 * it was compiled with: a model compiled on a big GPU still loads on a small one when it fits,
 * and when it does not, the loader can name the one limit that is short.
 */

/** WebGPU caps minStorageBufferOffsetAlignment at 256: every adapter offers 256 or better. */
const MAX_OFFSET_ALIGNMENT = 256;

export function derivePlanRequirements(plan: Plan): PlanRequirements {
  const limits: Record<string, number> = {};
  const atLeast = (name: string, value: number): void => {
    limits[name] = Math.max(limits[name] ?? 0, value);
  };

  const bound = new Set(plan.steps.flatMap((s) => s.tensors));
  for (const t of plan.tensors) {
    if (bound.has(t.id)) atLeast('maxStorageBufferBindingSize', alignUp(t.bytes, WORD_BYTES));
  }
  // Each region is one buffer, of the size the runtime gives it.
  for (const region of Object.keys(plan.regionBytes) as PlanRegion[]) atLeast('maxBufferSize', regionBufferBytes(plan.regionBytes[region]));

  for (const step of plan.steps) atLeast('maxComputeWorkgroupsPerDimension', Math.max(0, ...step.dispatch));
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
  let alignment = MAX_OFFSET_ALIGNMENT;
  for (const t of plan.tensors) {
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
