import type { HostTensor, Plan, PlanConstant } from '../../ir/index.js';
import { ArtifactError, staticShape } from '../../ir/index.js';
import type { PlanFile, PlanFileKernel, PlanFileWeight } from '../../ir/artifact_format.js';
import { KERNELS_DIR } from '../../ir/artifact_format.js';
import { derivePlanRequirements } from './requirements.js';

/**
 * A Plan split into the artifact's parts: plan.json's data, one WGSL file per kernel, and the
 * host tensors that go to safetensors under unique names.
 */
export interface SerializedPlan {
  readonly planFile: PlanFile;
  /** Path relative to the artifact directory → WGSL source. */
  readonly kernelFiles: ReadonlyMap<string, string>;
  /** safetensors name → data, constants and states with initial values alike. */
  readonly weights: ReadonlyMap<string, HostTensor>;
}

/** A file-name-safe rendering of a kernel or tensor name. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'kernel';
}

/**
 * Weight names: the tensor's own name where it is unique, so a training step's parameters and
 * the inference model built from the same graph agree on names (exportStates in one artifact,
 * `weights:` when loading the other). States are named first: their names must survive as they
 * are, while an unnamed or clashing constant can take a suffix.
 */
function assignWeightNames(plan: Plan): Map<number, string> {
  const names = new Map<number, string>();
  const taken = new Set<string>();
  const claim = (tensor: number, kind: string): void => {
    const base = plan.tensors[tensor]?.name || `${kind}_${tensor}`;
    let name = base;
    for (let k = 1; taken.has(name) || name === '__metadata__'; k++) name = `${base}#${k}`;
    taken.add(name);
    names.set(tensor, name);
  };
  for (const s of plan.states) if (s.data !== undefined) claim(s.tensor, 'state');
  for (const c of plan.constants) claim(c.tensor, 'constant');
  return names;
}

export function serializePlan(
  plan: Plan,
  compiledFor: Readonly<Record<string, number>> = {},
  outputNpyTypes: Readonly<Record<string, string>> = {},
): SerializedPlan {
  const weightNames = assignWeightNames(plan);
  const weights = new Map<string, HostTensor>();
  const toWeight = (kind: 'constant' | 'state', c: PlanConstant): PlanFileWeight => {
    const tensor = plan.tensors[c.tensor];
    if (!tensor) throw new ArtifactError(`plan '${plan.name}': a ${kind} names tensor ${c.tensor}, which does not exist`);
    if (c.data === undefined) {
      if (kind === 'constant') throw new ArtifactError(`plan '${plan.name}', constant '${tensor.name}' has no data to write`);
      return { tensor: c.tensor };
    }
    const weight = weightNames.get(c.tensor)!;
    weights.set(weight, { dtype: tensor.dtype, shape: staticShape(tensor.shape, `plan '${plan.name}', ${kind} '${tensor.name}'`), data: c.data });
    return { tensor: c.tensor, weight };
  };

  const kernelFiles = new Map<string, string>();
  const digits = String(Math.max(0, plan.kernels.length - 1)).length;
  const kernels: PlanFileKernel[] = plan.kernels.map((k, i) => {
    const source = `${KERNELS_DIR}/${String(i).padStart(digits, '0')}_${slug(k.name)}.wgsl`;
    kernelFiles.set(source, k.wgsl);
    const file: PlanFileKernel = { name: k.name, source, entryPoint: k.entryPoint, workgroupSize: k.workgroupSize, bindingCount: k.bindingCount };
    return k.sizeSlots ? { ...file, sizeSlots: k.sizeSlots } : file;
  });

  const planFile: PlanFile = {
    format: plan.format,
    version: plan.version,
    name: plan.name,
    requirements: derivePlanRequirements(plan),
    compiledFor,
    inputs: plan.inputs,
    outputs: plan.outputs,
    tensors: plan.tensors,
    kernels,
    steps: plan.steps,
    constants: plan.constants.map((c) => toWeight('constant', c)),
    states: plan.states.map((s) => toWeight('state', s)),
    stateUpdates: plan.stateUpdates,
    regionBytes: plan.regionBytes,
    memory: plan.memory,
    ...(plan.symbolic ? { symbolic: plan.symbolic } : {}),
    ...(Object.keys(outputNpyTypes).length > 0 ? { outputNpyTypes } : {}),
  };
  return { planFile, kernelFiles, weights };
}
