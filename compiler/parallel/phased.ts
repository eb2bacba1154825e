import type { Graph, PlanConstant, PlanIO, PlanKernel, StaticPlan, StaticPlanStep, StaticPlanTensor } from '../../ir/index.js';
import { alignUp, asStaticPlan, GraphError } from '../../ir/index.js';
import type { PhasedPlan, PlanPhase } from '../../ir/phased_plan.js';
import { PHASED_PLAN_FORMAT } from '../../ir/phased_plan.js';
import type { CompileOptions } from '../compile.js';
import { compile, DEFAULT_LIMITS } from '../compile.js';


/**
 * Compiles graphs that share states into one PhasedPlan (ir/phased_plan.ts): each graph is
 * compiled on its own (fusion, memory schedule and arena as usual), then the plans are laid
 * side by side in one carrier plan whose states region holds each state once, by name.
 */
export function compilePhases(name: string, graphs: readonly Graph[], options: CompileOptions = {}): PhasedPlan {
  // Phases share one layout of states and run at one batch: every size must be known.
  const plans = graphs.map((g) => asStaticPlan(compile(g, options)));
  const align = Number((options.limits as Record<string, number> | undefined)?.minStorageBufferOffsetAlignment ?? DEFAULT_LIMITS.minStorageBufferOffsetAlignment);
  return mergePhases(name, plans, align);
}

interface SharedState {
  readonly offset: number;
  readonly tensor: StaticPlanTensor;
}

/**
 * Lays compiled plans out as the phases of one carrier plan (named after each plan). Tensor
 * ids, kernel indices and constant offsets are moved past the earlier phases'; arena offsets
 * stay (arenas overlay); every states-region tensor moves to its state's shared offset — the
 * tensors computed in place over a state included, which sit at that state's offset.
 */
export function mergePhases(name: string, plans: readonly StaticPlan[], align: number): PhasedPlan {
  const tensors: StaticPlanTensor[] = [];
  const kernels: PlanKernel[] = [];
  const kernelIndex = new Map<string, number>();
  const steps: StaticPlanStep[] = [];
  const constants: PlanConstant[] = [];
  const states: PlanConstant[] = [];
  const shared = new Map<string, SharedState>();
  const phases: PlanPhase[] = [];
  const features = new Set<string>();
  const limits: Record<string, number> = {};
  let statesBytes = 0;
  let constantsBytes = 0;
  let arenaBytes = 0;
  let naiveBytes = 0;
  let lowerBoundBytes = 0;

  for (const plan of plans) {
    const where = `phase '${plan.name}'`;
    if (phases.some((p) => p.name === plan.name)) throw new GraphError(`${name}: two phases are named '${plan.name}'`);
    const base = tensors.length;
    // Where each of this plan's state offsets goes in the shared layout.
    const movedState = new Map<number, number>();
    for (const s of plan.states) {
      const t = plan.tensors[s.tensor];
      let entry = shared.get(t.name);
      if (!entry) {
        entry = { offset: statesBytes, tensor: t };
        shared.set(t.name, entry);
        statesBytes = alignUp(statesBytes + Math.max(t.bytes, 4), align);
        states.push({ tensor: base + t.id, data: s.data });
      } else if (entry.tensor.dtype !== t.dtype || entry.tensor.bytes !== t.bytes || entry.tensor.shape.join(',') !== t.shape.join(',')) {
        throw new GraphError(`${name}, ${where}: state '${t.name}' is ${t.dtype}[${t.shape.join(',')}] here and ${entry.tensor.dtype}[${entry.tensor.shape.join(',')}] in an earlier phase`);
      }
      movedState.set(t.offset, entry.offset);
    }
    const constantsBase = constantsBytes;
    constantsBytes = alignUp(constantsBytes + plan.regionBytes.constants, align);
    for (const t of plan.tensors) {
      let offset = t.offset;
      if (t.region === 'constants') offset += constantsBase;
      else if (t.region === 'states') {
        const moved = movedState.get(t.offset);
        if (moved === undefined) throw new GraphError(`${name}, ${where}: tensor '${t.name}' lies in the states region at offset ${t.offset}, where no state starts`);
        offset = moved;
      }
      tensors.push({ ...t, id: base + t.id, offset });
    }
    for (const c of plan.constants) constants.push({ tensor: base + c.tensor, data: c.data });
    const firstStep = steps.length;
    for (const s of plan.steps) {
      const k = plan.kernels[s.kernel];
      let index = kernelIndex.get(k.wgsl);
      if (index === undefined) {
        index = kernels.length;
        kernelIndex.set(k.wgsl, index);
        kernels.push(k);
      }
      steps.push({ ...s, kernel: index, tensors: s.tensors.map((id) => base + id), label: `${plan.name}: ${s.label}` });
    }
    const io = (list: readonly PlanIO[]) => list.map((e) => ({ name: e.name, tensor: base + e.tensor }));
    phases.push({
      name: plan.name,
      firstStep,
      endStep: steps.length,
      inputs: io(plan.inputs),
      outputs: io(plan.outputs),
      stateUpdates: plan.stateUpdates.map((u) => ({ state: base + u.state, from: base + u.from })),
      arenaBytes: plan.regionBytes.arena,
    });
    arenaBytes = Math.max(arenaBytes, plan.regionBytes.arena);
    naiveBytes = Math.max(naiveBytes, plan.memory.naiveBytes);
    lowerBoundBytes = Math.max(lowerBoundBytes, plan.memory.lowerBoundBytes);
    for (const f of plan.requirements.features) features.add(f);
    for (const [k, v] of Object.entries(plan.requirements.limits)) limits[k] = Math.max(limits[k] ?? 0, v);
  }

  const carrier: StaticPlan = {
    format: plans[0]?.format ?? 'dawnflow-plan',
    version: plans[0]?.version ?? 1,
    name,
    tensors,
    kernels,
    steps,
    inputs: [],
    outputs: [],
    constants,
    states,
    stateUpdates: [],
    regionBytes: { arena: arenaBytes, constants: constantsBytes, states: statesBytes },
    memory: { naiveBytes, arenaBytes, lowerBoundBytes },
    requirements: { features: [...features], limits },
  };
  return { format: PHASED_PLAN_FORMAT, version: 1, name, plan: carrier, phases };
}

/** The phase named `name`, or a GraphError listing the phases there are. */
export function phaseOf(phased: PhasedPlan, name: string): PlanPhase {
  const phase = phased.phases.find((p) => p.name === name);
  if (!phase) throw new GraphError(`${phased.name}: no phase '${name}' (phases: ${phased.phases.map((p) => p.name).join(', ')})`);
  return phase;
}

/**
 * The last step of a phase that binds any byte of `tensor`: after it the tensor's value is
 * final. Every binding is read_write, so a step that binds it may write it; outputs are kept
 * alive to the phase's end, so no later step reuses their bytes for something else.
 */
export function lastStepTouching(plan: StaticPlan, phase: PlanPhase, tensor: number): number {
  const t = plan.tensors[tensor];
  const end = t.offset + t.bytes;
  for (let i = phase.endStep - 1; i >= phase.firstStep; i--) {
    for (const id of plan.steps[i].tensors) {
      const b = plan.tensors[id];
      if (b.region === t.region && b.offset < end && t.offset < b.offset + Math.max(b.bytes, 1)) return i;
    }
  }
  return phase.firstStep - 1;
}
