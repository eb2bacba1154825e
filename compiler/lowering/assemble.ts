import type { Plan, PlanKernel, PlanStep } from '../../ir/index.js';
import { PLAN_FORMAT, PLAN_VERSION } from '../../ir/index.js';
import type { GeneratedKernel } from '../../targets/wgsl/codegen.js';
import { kernelFlops } from './flops.js';
import type { Placed } from './placement.js';

/** The lowering's last value: everything before it, and the Plan made of it. */
export interface Assembled extends Placed {
  readonly plan: Plan;
}

/** The Plan: one pipeline per distinct WGSL module, one step per kernel, tensor ids made dense. */
export function assemble(input: Placed): Assembled {
  const { graph, groups, aliases, tensors, layout } = input;
  const kernels: PlanKernel[] = [];
  const kernelIndex = new Map<string, number>();
  const steps: PlanStep[] = input.kernels.map((k, i) => {
    let index = kernelIndex.get(k.wgsl);
    if (index === undefined) {
      index = kernels.length;
      kernelIndex.set(k.wgsl, index);
      kernels.push({ name: k.name, wgsl: k.wgsl, entryPoint: k.entryPoint, workgroupSize: k.workgroupSize, bindingCount: k.bindings.length });
    }
    const flops = kernelFlops(groups[i]);
    const label = groups[i].nodes.map((n) => `${n.op} '${n.name}'`).join(', ');
    return { kernel: index, tensors: k.bindings, dispatch: k.dispatch, label, ...(flops !== undefined ? { flops } : {}) };
  });

  // Tensor ids are dense (tensor i has id i): the runtime indexes tensors by id.
  const dense = new Map(tensors.map((t, i) => [t.id, i]));
  const id = (valueId: number) => dense.get(valueId)!;
  const owner = (valueId: number) => aliases.get(valueId) ?? valueId;
  const plan: Plan = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: graph.name,
    tensors: tensors.map((t) => ({ ...t, id: id(t.id) })),
    kernels,
    steps: steps.map((s) => ({ ...s, tensors: s.tensors.map(id) })),
    inputs: graph.inputs.map((v) => ({ name: v.name, tensor: id(v.id) })),
    outputs: graph.outputs.map((v, i) => ({ name: v.name || `output_${i}`, tensor: id(v.id) })),
    constants: input.constants.map((c) => ({ ...c, tensor: id(c.tensor) })),
    states: input.states.map((c) => ({ ...c, tensor: id(c.tensor) })),
    // A state updated in place needs no copy.
    stateUpdates: [...graph.stateUpdates].filter(([s, next]) => owner(next.id) !== s.id).map(([s, next]) => ({ state: id(s.id), from: id(next.id) })),
    regionBytes: input.regionBytes,
    memory: { naiveBytes: input.naiveBytes, arenaBytes: layout.arenaBytes, lowerBoundBytes: layout.lowerBoundBytes },
    requirements: requirementsOf(input.kernels),
  };
  return { ...input, plan };
}

/** What a device must offer to run these kernels: shader-f16 for f16 storage, subgroups of enough lanes. */
function requirementsOf(kernels: readonly GeneratedKernel[]): Plan['requirements'] {
  const features: string[] = [];
  if (kernels.some((k) => k.wgsl.includes('enable f16;'))) features.push('shader-f16');
  const subgroupSize = Math.max(0, ...kernels.map((k) => k.subgroupSize ?? 0));
  if (subgroupSize > 0) features.push('subgroups');
  return { features, limits: subgroupSize > 0 ? { subgroupMinSize: subgroupSize } : {} };
}
