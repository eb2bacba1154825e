import type { DimFact, Plan, PlanConstraint, PlanKernel, PlanStep, PlanSymbols } from '../../ir/index.js';
import { getOp, PLAN_FORMAT, PLAN_VERSION, symbolsOfPlan } from '../../ir/index.js';
import type { GeneratedKernel } from '../../targets/wgsl/codegen.js';
import { kernelFlops } from './flops.js';
import type { LoweringOptions } from './options.js';
import type { Placed } from './placement.js';
import { valueBytes, valuesById } from './values.js';

/** The lowering's last value: everything before it, and the Plan made of it. */
export interface Assembled extends Placed {
  readonly plan: Plan;
}

/** The Plan: one pipeline per distinct WGSL module, one step per kernel, tensor ids made dense. */
export function assemble(input: Placed, options: LoweringOptions): Assembled {
  const { graph, groups, aliases, tensors, layout } = input;
  const kernels: PlanKernel[] = [];
  const kernelIndex = new Map<string, number>();
  const steps: PlanStep[] = input.kernels.map((k, i) => {
    let index = kernelIndex.get(k.wgsl);
    if (index === undefined) {
      index = kernels.length;
      kernelIndex.set(k.wgsl, index);
      const kernel: PlanKernel = { name: k.name, wgsl: k.wgsl, entryPoint: k.entryPoint, workgroupSize: k.workgroupSize, bindingCount: k.bindings.length };
      kernels.push(k.sizes.length ? { ...kernel, sizeSlots: k.sizes.length } : kernel);
    }
    const flops = kernelFlops(groups[i]);
    const step: PlanStep = { kernel: index, tensors: k.bindings, dispatch: k.dispatch, label: groups[i].nodes.map((n) => `${n.op} '${n.name}'`).join(', ') };
    return { ...step, ...(k.splitGrid ? { splitGrid: true } : {}), ...(k.sizes.length ? { sizes: k.sizes } : {}), ...(flops !== undefined ? { flops } : {}) };
  });

  // Tensor ids are dense (tensor i has id i): the runtime indexes tensors by id.
  const dense = new Map(tensors.map((t, i) => [t.id, i]));
  const id = (valueId: number) => dense.get(valueId)!;
  const owner = (valueId: number) => aliases.get(valueId) ?? valueId;
  const densePlan = { tensors: tensors.map((t) => ({ ...t, id: id(t.id) })), steps: steps.map((s) => ({ ...s, tensors: s.tensors.map(id) })) };
  const symbols = symbolsOfPlan(densePlan);
  const byId = valuesById(graph);
  const symbolic: PlanSymbols | undefined = symbols.length
    ? {
        dims: Object.fromEntries(symbols.map((s): [string, DimFact] => [s, options.facts[s] ?? {}])),
        arena: input.lifetimes.map((l) => ({ tensor: id(l.key), bytes: valueBytes(byId.get(l.key)!), start: l.start, end: l.end })),
        aliases: [...aliases].map(([value, of]) => [id(value), id(of)] as const),
        alignment: options.limits.minStorageBufferOffsetAlignment,
        representative: input.representative,
        ...constraintsOf(graph),
      }
    : undefined;
  const plan: Plan = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: graph.name,
    tensors: densePlan.tensors,
    kernels,
    steps: densePlan.steps,
    inputs: graph.inputs.map((v) => ({ name: v.name, tensor: id(v.id) })),
    outputs: graph.outputs.map((v, i) => ({ name: v.name || `output_${i}`, tensor: id(v.id) })),
    constants: input.constants.map((c) => ({ ...c, tensor: id(c.tensor) })),
    states: input.states.map((c) => ({ ...c, tensor: id(c.tensor) })),
    // A state updated in place needs no copy.
    stateUpdates: [...graph.stateUpdates].filter(([s, next]) => owner(next.id) !== s.id).map(([s, next]) => ({ state: id(s.id), from: id(next.id) })),
    regionBytes: input.regionBytes,
    memory: {
      naiveBytes: input.naiveBytes,
      arenaBytes: layout.arenaBytes,
      lowerBoundBytes: layout.lowerBoundBytes,
      ...(options.memoryBudget !== undefined ? { recomputedKernels: input.recomputed.length } : {}),
    },
    requirements: requirementsOf(input.kernels),
    ...(symbolic ? { symbolic } : {}),
  };
  return { ...input, plan };
}

/** The constraints the graph's ops place on its symbolic sizes, once each. */
function constraintsOf(graph: Assembled['graph']): { constraints?: PlanConstraint[] } {
  const found = new Map<string, PlanConstraint>();
  for (const node of graph.nodes) {
    const def = getOp(node.op);
    if (!def.constraints) continue;
    for (const c of def.constraints(node.inputs.map((v) => v.type), node.attrs, { where: `${node.op} '${node.name}'` })) {
      if (typeof c.dim === 'string' && !found.has(`${c.dim}>=${c.min}`)) found.set(`${c.dim}>=${c.min}`, c);
    }
  }
  return found.size ? { constraints: [...found.values()] } : {};
}

/** What a device must offer to run these kernels: shader-f16 for f16 storage, subgroups of enough lanes. */
function requirementsOf(kernels: readonly GeneratedKernel[]): Plan['requirements'] {
  const features: string[] = [];
  if (kernels.some((k) => k.wgsl.includes('enable f16;'))) features.push('shader-f16');
  const subgroupSize = Math.max(0, ...kernels.map((k) => k.subgroupSize ?? 0));
  if (subgroupSize > 0) features.push('subgroups');
  return { features, limits: subgroupSize > 0 ? { subgroupMinSize: subgroupSize } : {} };
}
