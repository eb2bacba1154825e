import type { Graph, Plan, PlanConstant, PlanKernel, PlanRegion, PlanStep, PlanTensor, Value } from '../ir/index.js';
import { deviceBytesPerElement, isStaticShape, numel, OutOfMemoryError, PLAN_FORMAT, PLAN_VERSION, verifyGraph } from '../ir/index.js';
import type { GeneratedKernel, KernelGroup } from '../targets/wgsl/codegen.js';
import { generateKernel } from '../targets/wgsl/codegen.js';
import type { Lifetime } from './memory/arena.js';
import { alignUp, planArena } from './memory/arena.js';
import { materializeOutputs } from './passes/materialize_outputs.js';
import { specialize } from './passes/specialize.js';

/** What the compiler must know of the target device. */
export interface TargetLimits {
  readonly minStorageBufferOffsetAlignment: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

export const DEFAULT_LIMITS: TargetLimits = {
  minStorageBufferOffsetAlignment: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
};

export interface CompileOptions {
  /** Sizes of the graph's symbolic dims. */
  readonly dims?: Readonly<Record<string, number>>;
  readonly limits?: TargetLimits;
}

function tensorBytes(v: Value): number {
  return numel(v.type.shape as number[]) * deviceBytesPerElement(v.type.dtype);
}

/** Graph → Plan: specialize shapes, lower each group to a kernel, schedule, plan memory. */
export function compile(source: Graph, options: CompileOptions = {}): Plan {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const align = limits.minStorageBufferOffsetAlignment;
  verifyGraph(source);
  const graph = materializeOutputs(specialize(source, new Map(Object.entries(options.dims ?? {}))));

  const groups: KernelGroup[] = graph.nodes.map((n) => ({ nodes: [n], outputs: n.outputs }));
  const generated: GeneratedKernel[] = groups.map((g) =>
    generateKernel(g, { maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension }),
  );

  // Kernels deduplicated by source: one pipeline per distinct WGSL module.
  const kernels: PlanKernel[] = [];
  const kernelIndex = new Map<string, number>();
  const steps: PlanStep[] = generated.map((k, i) => {
    let index = kernelIndex.get(k.wgsl);
    if (index === undefined) {
      index = kernels.length;
      kernelIndex.set(k.wgsl, index);
      kernels.push({ name: k.name, wgsl: k.wgsl, entryPoint: k.entryPoint, workgroupSize: k.workgroupSize, bindingCount: k.bindings.length });
    }
    return { kernel: index, tensors: k.bindings, dispatch: k.dispatch, label: groups[i].nodes.map((n) => `${n.op} '${n.name}'`).join(', ') };
  });

  // Lifetimes over the schedule: inputs from before step 0, outputs and state updates to the end.
  const values = new Map<number, Value>();
  const region = new Map<number, PlanRegion>();
  const lifetimes = new Map<number, { start: number; end: number }>();
  const touch = (v: Value, step: number) => {
    values.set(v.id, v);
    const kind: PlanRegion = graph.constants.has(v) ? 'constants' : graph.states.has(v) ? 'states' : 'arena';
    region.set(v.id, kind);
    const l = lifetimes.get(v.id);
    if (l) l.end = Math.max(l.end, step), (l.start = Math.min(l.start, step));
    else lifetimes.set(v.id, { start: step, end: step });
  };
  const end = steps.length;
  for (const v of graph.inputs) touch(v, -1);
  generated.forEach((k, step) => {
    for (const id of k.bindings) touch(findValue(graph, id), step);
  });
  for (const v of graph.outputs) touch(v, end);
  for (const [state, next] of graph.stateUpdates) {
    touch(state, end);
    touch(next, end);
  }

  const arenaLifetimes: Lifetime[] = [];
  for (const [id, l] of lifetimes) {
    if (region.get(id) === 'arena') arenaLifetimes.push({ key: id, bytes: tensorBytes(values.get(id)!), start: l.start, end: l.end });
  }
  const layout = planArena(arenaLifetimes, align);

  const tensors: PlanTensor[] = [];
  const regionBytes: Record<PlanRegion, number> = { arena: layout.arenaBytes, constants: 0, states: 0 };
  const constants: PlanConstant[] = [];
  const states: PlanConstant[] = [];
  for (const [id, v] of values) {
    const r = region.get(id)!;
    const bytes = tensorBytes(v);
    if (bytes > limits.maxStorageBufferBindingSize) {
      throw new OutOfMemoryError(`${v.name || `value ${id}`}: ${bytes} bytes exceed the device's maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}`);
    }
    let offset: number;
    if (r === 'arena') offset = layout.offsets.get(id)!;
    else {
      offset = regionBytes[r];
      regionBytes[r] = alignUp(offset + Math.max(bytes, 4), align);
      (r === 'constants' ? constants : states).push({ tensor: id, data: (r === 'constants' ? graph.constants : graph.states).get(v)!.data });
    }
    if (!isStaticShape(v.type.shape)) throw new Error(`compile: ${v} still has a symbolic shape`);
    tensors.push({ id, name: v.name, dtype: v.type.dtype, shape: v.type.shape, bytes, region: r, offset });
  }
  for (const r of ['arena', 'constants', 'states'] as const) {
    if (regionBytes[r] > limits.maxBufferSize) {
      throw new OutOfMemoryError(`the ${r} needs ${regionBytes[r]} bytes, more than the device's maxBufferSize ${limits.maxBufferSize}`);
    }
  }

  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: graph.name,
    tensors,
    kernels,
    steps,
    inputs: graph.inputs.map((v) => ({ name: v.name, tensor: v.id })),
    outputs: graph.outputs.map((v, i) => ({ name: v.name || `output_${i}`, tensor: v.id })),
    constants,
    states,
    stateUpdates: [...graph.stateUpdates].map(([s, next]) => ({ state: s.id, from: next.id })),
    regionBytes,
    memory: { naiveBytes: layout.naiveBytes, arenaBytes: layout.arenaBytes, lowerBoundBytes: layout.lowerBoundBytes },
    requirements: { features: kernels.some((k) => k.wgsl.includes('enable f16;')) ? ['shader-f16'] : [], limits: {} },
  };
}

function findValue(graph: Graph, id: number): Value {
  for (const v of graph.inputs) if (v.id === id) return v;
  for (const v of graph.constants.keys()) if (v.id === id) return v;
  for (const v of graph.states.keys()) if (v.id === id) return v;
  for (const n of graph.nodes) for (const v of n.outputs) if (v.id === id) return v;
  throw new Error(`compile: no value with id ${id}`);
}
