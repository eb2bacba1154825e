import { ArtifactError, DeviceError, OutOfMemoryError } from '../ir/errors.js';
import { dimSymbols } from '../ir/dim_expr.js';
import type { Plan, PlanRegion, StaticPlan, StaticPlanStep, StaticPlanTensor } from '../ir/plan.js';
import { deviceBytes, PLAN_FORMAT, PLAN_VERSION, regionBufferBytes, storageEnd } from '../ir/plan.js';
import { asStaticPlan } from '../ir/plan_binding.js';
import { formatTensorType } from './host_data.js';

/**
 * Everything about a plan that can be checked before touching the device: its structure, and
 * its fit to the device's features and limits. Failing here gives a message that names the
 * tensor, kernel or step, where the same fault found by Dawn later would name a bind group.
 */

export const REGIONS: readonly PlanRegion[] = ['arena', 'constants', 'states'];

export interface DeviceCaps {
  readonly limits: Readonly<Record<string, number>>;
  readonly features: ReadonlySet<string>;
  readonly adapterDescription: string;
}

/**
 * Checks the plan and returns the byte size of each region's buffer (a multiple of 4, >= 4). A
 * symbolic plan is checked in everything that does not depend on its sizes (its arena then
 * comes back as one word: it grows when a binding is run); `checkBoundPlan` checks each binding.
 */
export function checkPlan(plan: Plan, caps: DeviceCaps): Record<PlanRegion, number> {
  const where = `plan '${plan.name}'`;
  if (plan.format !== PLAN_FORMAT) throw new ArtifactError(`${where}: format '${String(plan.format)}' is not '${PLAN_FORMAT}'`);
  if (plan.version > PLAN_VERSION) throw new ArtifactError(`${where}: format version ${plan.version} is newer than this runtime's ${PLAN_VERSION}`);
  checkRequirements(plan, caps, where);
  if (plan.symbolic) return checkSymbolicPlan(plan, caps, where);
  const fixed = asStaticPlan(plan);
  const sizes = checkTensors(fixed, caps, where);
  checkKernels(plan, caps, where);
  fixed.steps.forEach((step, i) => checkStep(fixed, step, i, caps, where));
  checkSignature(plan, where);
  return sizes;
}

/**
 * A symbolic plan at one binding (`bindPlan`): every tensor within its region, every dispatch
 * within the device's limits, offsets aligned, no aliasing. Returns the region sizes it needs.
 */
export function checkBoundPlan(plan: StaticPlan, caps: DeviceCaps, binding: string): Record<PlanRegion, number> {
  const where = `plan '${plan.name}' at ${binding}`;
  const sizes = checkTensors(plan, caps, where);
  plan.steps.forEach((step, i) => checkStep(plan, step, i, caps, where));
  return sizes;
}

/** The parts of a symbolic plan that do not depend on its sizes; the constants and states are static. */
function checkSymbolicPlan(plan: Plan, caps: DeviceCaps, where: string): Record<PlanRegion, number> {
  const symbols = plan.symbolic!;
  const declared = new Set(Object.keys(symbols.dims));
  plan.tensors.forEach((t, i) => {
    const what = `${where}, tensor ${i} '${t.name}'`;
    if (t.id !== i) throw new ArtifactError(`${what}: id ${t.id} differs from its index ${i}`);
    if (!REGIONS.includes(t.region)) throw new ArtifactError(`${what}: unknown region '${String(t.region)}'`);
    for (const d of t.shape) {
      for (const s of dimSymbols(d)) if (!declared.has(s)) throw new ArtifactError(`${what}: dim '${d}' names '${s}', which the plan does not declare`);
    }
    if (t.region !== 'arena' && (typeof t.bytes !== 'number' || t.shape.some((d) => typeof d !== 'number'))) {
      throw new ArtifactError(`${what}: a ${t.region} tensor must have a static shape, got [${t.shape.join(',')}]`);
    }
  });
  for (const l of symbols.arena) if (!plan.tensors[l.tensor]) throw new ArtifactError(`${where}: the arena names tensor ${l.tensor}, which does not exist`);
  for (const [t, owner] of symbols.aliases) {
    if (!plan.tensors[t] || !plan.tensors[owner]) throw new ArtifactError(`${where}: alias [${t}, ${owner}] names a tensor that does not exist`);
  }
  const statics = plan.tensors.filter((t): t is StaticPlanTensor => t.region !== 'arena') as StaticPlanTensor[];
  const maxBuffer = limit(caps, 'maxBufferSize', where);
  const sizes: Record<PlanRegion, number> = { arena: regionBufferBytes(0), constants: 0, states: 0 };
  for (const region of ['constants', 'states'] as const) {
    const declaredBytes = plan.regionBytes[region] ?? 0;
    for (const t of statics.filter((x) => x.region === region)) {
      if (storageEnd(t) > declaredBytes) throw new ArtifactError(`${where}, tensor '${t.name}': bytes [${t.offset}, ${storageEnd(t)}) lie outside the ${region} region (${declaredBytes} bytes)`);
    }
    sizes[region] = regionBufferBytes(declaredBytes);
    if (sizes[region] > maxBuffer) throw new OutOfMemoryError(`${where}: the ${region} region needs ${sizes[region]} bytes, above the device's maxBufferSize of ${maxBuffer}`);
  }
  checkKernels(plan, caps, where);
  plan.steps.forEach((step, i) => {
    const kernel = plan.kernels[step.kernel];
    const what = `${where}, step ${i} '${step.label}'`;
    if (!kernel) throw new ArtifactError(`${what}: kernel index ${step.kernel} out of range`);
    if (step.tensors.length !== kernel.bindingCount) throw new ArtifactError(`${what}: ${step.tensors.length} tensors bound to kernel '${kernel.name}', which has ${kernel.bindingCount} bindings`);
    if ((step.sizes?.length ?? 0) !== (kernel.sizeSlots ?? 0)) throw new ArtifactError(`${what}: ${step.sizes?.length ?? 0} size values for kernel '${kernel.name}', which has ${kernel.sizeSlots ?? 0} size slots`);
    step.tensors.forEach((id, binding) => {
      if (!plan.tensors[id]) throw new ArtifactError(`${what}: binding ${binding} names tensor ${id}, which does not exist`);
    });
  });
  checkSignature(plan, where);
  return sizes;
}

/** The device limit a plan needs, or a DeviceError naming it. */
function limit(caps: DeviceCaps, name: string, where: string): number {
  const value = caps.limits[name];
  if (value === undefined) throw new DeviceError(`${where}: the device reports no limit '${name}'`);
  return value;
}

function checkRequirements(plan: Plan, caps: DeviceCaps, where: string): void {
  for (const feature of plan.requirements.features) {
    if (!caps.features.has(feature)) throw new DeviceError(`${where} needs the feature '${feature}', which the adapter (${caps.adapterDescription}) lacks`);
  }
  for (const [name, needed] of Object.entries(plan.requirements.limits)) {
    const have = limit(caps, name, where);
    // min* limits are alignments (smaller is better); max* limits are capacities.
    const ok = name.startsWith('min') ? have <= needed : have >= needed;
    if (!ok) throw new DeviceError(`${where} needs ${name} = ${needed}, but the adapter (${caps.adapterDescription}) has ${have}`);
  }
}

function checkTensors(plan: StaticPlan, caps: DeviceCaps, where: string): Record<PlanRegion, number> {
  const declared = (region: PlanRegion): number => plan.regionBytes[region] ?? 0;
  plan.tensors.forEach((t, i) => {
    const what = `${where}, tensor ${i} '${t.name}'`;
    if (t.id !== i) throw new ArtifactError(`${what}: id ${t.id} differs from its index ${i}`);
    if (!REGIONS.includes(t.region)) throw new ArtifactError(`${what}: unknown region '${String(t.region)}'`);
    const bytes = deviceBytes(t.dtype, t.shape);
    if (t.bytes !== bytes) throw new ArtifactError(`${what}: ${t.bytes} bytes declared, ${formatTensorType(t)} needs ${bytes}`);
    if (!Number.isInteger(t.offset) || t.offset < 0) throw new ArtifactError(`${what}: bad offset ${t.offset}`);
    // The region-size rule of ir/plan.ts: the compiler lays regions out by it, so a plan it made always fits.
    if (storageEnd(t) > declared(t.region)) {
      throw new ArtifactError(`${what}: bytes [${t.offset}, ${storageEnd(t)}) lie outside the ${t.region} region (${declared(t.region)} bytes)`);
    }
  });
  const maxBuffer = limit(caps, 'maxBufferSize', where);
  const sizes: Record<PlanRegion, number> = { arena: 0, constants: 0, states: 0 };
  for (const region of REGIONS) {
    sizes[region] = regionBufferBytes(declared(region));
    if (sizes[region] > maxBuffer) {
      throw new OutOfMemoryError(`${where}: the ${region} region needs ${sizes[region]} bytes, above the device's maxBufferSize of ${maxBuffer}`);
    }
  }
  return sizes;
}

function checkKernels(plan: Plan, caps: DeviceCaps, where: string): void {
  const maxBindings = Math.min(limit(caps, 'maxStorageBuffersPerShaderStage', where), limit(caps, 'maxBindingsPerBindGroup', where));
  const maxInvocations = limit(caps, 'maxComputeInvocationsPerWorkgroup', where);
  const maxSize = ['X', 'Y', 'Z'].map((axis) => limit(caps, `maxComputeWorkgroupSize${axis}`, where));
  plan.kernels.forEach((k, i) => {
    const what = `${where}, kernel ${i} '${k.name}'`;
    if (k.bindingCount > maxBindings) {
      throw new DeviceError(`${what}: ${k.bindingCount} storage bindings, above the device's maxStorageBuffersPerShaderStage of ${maxBindings}`);
    }
    const [x, y, z] = k.workgroupSize;
    if (x * y * z > maxInvocations) {
      throw new DeviceError(`${what}: workgroup size ${x}x${y}x${z} = ${x * y * z} invocations, above maxComputeInvocationsPerWorkgroup ${maxInvocations}`);
    }
    k.workgroupSize.forEach((d, axis) => {
      if (d > maxSize[axis]) throw new DeviceError(`${what}: workgroup size ${d} along ${'xyz'[axis]} exceeds the device's ${maxSize[axis]}`);
    });
  });
}

function checkStep(plan: StaticPlan, step: StaticPlanStep, index: number, caps: DeviceCaps, where: string): void {
  const kernel = plan.kernels[step.kernel];
  const what = `${where}, step ${index} '${step.label}'`;
  if (!kernel) throw new ArtifactError(`${what}: kernel index ${step.kernel} out of range`);
  if (step.tensors.length !== kernel.bindingCount) {
    throw new ArtifactError(`${what}: ${step.tensors.length} tensors bound to kernel '${kernel.name}', which has ${kernel.bindingCount} bindings`);
  }
  if (step.flops !== undefined && !(Number.isFinite(step.flops) && step.flops >= 0)) throw new ArtifactError(`${what}: flops ${step.flops} is not a count`);
  if ((step.sizes?.length ?? 0) !== (kernel.sizeSlots ?? 0)) {
    throw new ArtifactError(`${what}: ${step.sizes?.length ?? 0} size values for kernel '${kernel.name}', which has ${kernel.sizeSlots ?? 0} size slots`);
  }
  const maxGroups = limit(caps, 'maxComputeWorkgroupsPerDimension', where);
  if (step.dispatch.length !== 3 || step.dispatch.some((d) => !Number.isInteger(d) || d < 0 || d > maxGroups)) {
    throw new DeviceError(`${what}: dispatch [${step.dispatch.join(',')}] is not three whole counts within maxComputeWorkgroupsPerDimension ${maxGroups}`);
  }
  const align = limit(caps, 'minStorageBufferOffsetAlignment', where);
  const maxBinding = limit(caps, 'maxStorageBufferBindingSize', where);
  const bound = step.tensors.map((id, binding) => {
    const t = plan.tensors[id];
    if (!t) throw new ArtifactError(`${what}: binding ${binding} names tensor ${id}, which does not exist`);
    if (t.bytes > 0 && t.offset % align !== 0) {
      throw new DeviceError(`${what}: tensor '${t.name}' sits at ${t.region} offset ${t.offset}, not a multiple of minStorageBufferOffsetAlignment ${align}`);
    }
    if (t.bytes > maxBinding) {
      throw new OutOfMemoryError(`${what}: tensor '${t.name}' is ${t.bytes} bytes, above the device's maxStorageBufferBindingSize of ${maxBinding}`);
    }
    return t;
  });
  checkAliasing(bound, what);
}

/**
 * Every binding is read_write storage, and Dawn rejects a dispatch where two writable bindings
 * overlap in one buffer, even for the same tensor twice. A kernel must bind a tensor once.
 */
function checkAliasing(bound: readonly StaticPlanTensor[], what: string): void {
  for (let i = 0; i < bound.length; i++) {
    for (let j = i + 1; j < bound.length; j++) {
      const a = bound[i];
      const b = bound[j];
      if (a.bytes === 0 || b.bytes === 0 || a.region !== b.region) continue;
      if (a.offset < storageEnd(b) && b.offset < storageEnd(a)) {
        throw new DeviceError(
          `${what}: bindings ${i} ('${a.name}', ${a.region} [${a.offset}, ${storageEnd(a)})) and ${j} ('${b.name}', [${b.offset}, ${storageEnd(b)})) overlap; ` +
            'WebGPU rejects aliasing writable storage bindings, so a tensor must be bound once',
        );
      }
    }
  }
}

function checkSignature(plan: Plan, where: string): void {
  const tensorOf = (id: number, what: string): Plan['tensors'][number] => {
    const t = plan.tensors[id];
    if (!t) throw new ArtifactError(`${where}, ${what}: tensor ${id} does not exist`);
    return t;
  };
  for (const list of [plan.inputs, plan.outputs]) {
    const names = new Set<string>();
    for (const io of list) {
      if (names.has(io.name)) throw new ArtifactError(`${where}: the name '${io.name}' appears twice in the ${list === plan.inputs ? 'inputs' : 'outputs'}`);
      names.add(io.name);
      tensorOf(io.tensor, `'${io.name}'`);
    }
  }
  for (const c of plan.constants) tensorOf(c.tensor, 'a constant');
  for (const s of plan.states) {
    if (tensorOf(s.tensor, 'a state').region !== 'states') throw new ArtifactError(`${where}: state '${plan.tensors[s.tensor].name}' is not in the states region`);
  }
  for (const u of plan.stateUpdates) {
    const state = tensorOf(u.state, 'a state update');
    const from = tensorOf(u.from, 'a state update');
    const what = `${where}, update of state '${state.name}' from '${from.name}'`;
    if (state.region !== 'states') throw new ArtifactError(`${what}: the target is not in the states region`);
    // copyBufferToBuffer may not copy within one buffer.
    if (from.region === 'states') throw new ArtifactError(`${what}: the source is in the states region too`);
    if (from.dtype !== state.dtype || from.bytes !== state.bytes) {
      throw new ArtifactError(`${what}: ${formatTensorType(from)} does not match ${formatTensorType(state)}`);
    }
  }
}
