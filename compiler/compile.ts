import type { Graph, Plan, PlanConstant, PlanKernel, PlanRegion, PlanStep, PlanTensor, Value } from '../ir/index.js';
import { deviceBytesPerElement, isStaticShape, numel, OutOfMemoryError, PLAN_FORMAT, PLAN_VERSION, verifyGraph } from '../ir/index.js';
import type { CodegenOptions, GeneratedKernel } from '../targets/wgsl/codegen.js';
import { generateKernel } from '../targets/wgsl/codegen.js';
import type { FusedGroup } from './fusion/partition.js';
import { partitionIntoKernels } from './fusion/partition.js';
import type { ArenaLayout, Lifetime } from './memory/arena.js';
import { alignUp, planArena } from './memory/arena.js';
import { elideViews, findInPlace } from './memory/in_place.js';
import { runPasses } from './pipeline.js';
import { materializeOutputs } from './passes/materialize_outputs.js';
import { specialize } from './passes/specialize.js';
import { scheduleForMemory } from './schedule/order.js';

/** What the compiler must know of the target device. */
export interface TargetLimits {
  readonly minStorageBufferOffsetAlignment: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  /** Lanes every subgroup has at least; 0 where the device lacks the 'subgroups' feature. */
  readonly subgroupMinSize: number;
}

export const DEFAULT_LIMITS: TargetLimits = {
  minStorageBufferOffsetAlignment: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxStorageBuffersPerShaderStage: 8,
  subgroupMinSize: 0,
};

export interface CompileOptions {
  /** Sizes of the graph's symbolic dims. */
  readonly dims?: Readonly<Record<string, number>>;
  /** The device's limits (e.g. `DawnDevice.limits`); missing ones take WebGPU's defaults. */
  readonly limits?: Partial<TargetLimits> | Readonly<Record<string, number>>;
  /** Operator fusion (default on). */
  readonly fusion?: boolean;
  /** Memory-aware kernel order (default on); off keeps the graph's order. */
  readonly memorySchedule?: boolean;
  /** Kernel templates (tiled matmul/conv, row kernels; default on); off lowers every group generically. */
  readonly templates?: boolean;
  /** Tile configurations per kernel (from the autotuner); absent: the defaults. */
  readonly matmulConfig?: CodegenOptions['matmulConfig'];
  readonly vec4MatmulConfig?: CodegenOptions['vec4MatmulConfig'];
  readonly convConfig?: CodegenOptions['convConfig'];
  /** Elementwise kernels write over inputs that die there, states update in place (default on). */
  readonly inPlace?: boolean;
  /** Graph passes to skip, by name (`PASS_NAMES` in compiler/pipeline.ts); 'all' skips every one. */
  readonly disablePasses?: readonly string[] | 'all';
}

/** What the compiler did, for `dawnflow inspect --plan` and the tests that assert structure. */
export interface CompileReport {
  readonly graph: Graph;
  readonly groups: readonly FusedGroup[];
  readonly lifetimes: readonly Lifetime[];
  readonly layout: ArenaLayout;
  readonly schedulePeakBytes: number;
  readonly originalOrderPeakBytes: number;
}

export interface CompileResult {
  readonly plan: Plan;
  readonly report: CompileReport;
}

function tensorBytes(v: Value): number {
  return numel(v.type.shape as number[]) * deviceBytesPerElement(v.type.dtype);
}

/** Graph → Plan: specialize shapes, fuse into kernels, order them, plan memory, generate WGSL. */
export function compile(source: Graph, options: CompileOptions = {}): Plan {
  return compileWithReport(source, options).plan;
}

export function compileWithReport(source: Graph, options: CompileOptions = {}): CompileResult {
  const limits: TargetLimits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const align = limits.minStorageBufferOffsetAlignment;
  verifyGraph(source);
  const specialized = specialize(source, new Map(Object.entries(options.dims ?? {})));
  const optimized = options.disablePasses === 'all' ? specialized : runPasses(specialized, { disable: options.disablePasses ? [...options.disablePasses] : [] });
  const graph = materializeOutputs(optimized);

  const partition = partitionIntoKernels(graph, options.fusion ?? true, limits.maxStorageBuffersPerShaderStage);
  const pinned = new Set<Value>([...graph.outputs, ...graph.stateUpdates.values()]);
  const external = new Set<Value>(graph.inputs);
  const schedule = scheduleForMemory(partition, pinned, external);
  const ordered = options.memorySchedule === false ? partition : schedule.order;
  const { kernelGroups: groups, views } = options.inPlace === false ? { kernelGroups: ordered, views: new Map<number, number>() } : elideViews(graph, ordered);
  const codegen: CodegenOptions = {
    maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    subgroupMinSize: limits.subgroupMinSize,
    templates: options.templates,
    matmulConfig: options.matmulConfig,
    vec4MatmulConfig: options.vec4MatmulConfig,
    convConfig: options.convConfig,
  };
  let generated: GeneratedKernel[] = groups.map((g) => generateKernel(g, { ...codegen, aliases: views }));
  const inPlace = options.inPlace === false ? new Map<number, number>() : findInPlace(graph, groups, generated);
  const aliases = new Map([...views, ...inPlace]);
  if (inPlace.size) generated = groups.map((g, i) => (g.outputs.some((v) => inPlace.has(v.id)) ? generateKernel(g, { ...codegen, aliases }) : generated[i]));
  /** The value whose storage a value lives in (itself unless it was computed in place). */
  const owner = (id: number) => aliases.get(id) ?? id;

  // One pipeline per distinct WGSL module.
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
  const byId = new Map<number, Value>();
  for (const v of [...graph.inputs, ...graph.constants.keys(), ...graph.states.keys()]) byId.set(v.id, v);
  for (const n of graph.nodes) for (const v of n.outputs) byId.set(v.id, v);
  const regionOf = (v: Value): PlanRegion => (graph.constants.has(v) ? 'constants' : graph.states.has(v) ? 'states' : 'arena');
  const used = new Map<number, { start: number; end: number }>();
  const touch = (v: Value, step: number) => {
    const id = owner(v.id);
    const l = used.get(id);
    if (l) {
      l.start = Math.min(l.start, step);
      l.end = Math.max(l.end, step);
    } else used.set(id, { start: step, end: step });
  };
  const end = steps.length;
  for (const v of graph.inputs) touch(v, -1);
  generated.forEach((k, step) => k.bindings.forEach((id) => touch(byId.get(id)!, step)));
  for (const v of graph.outputs) touch(v, end);
  for (const [state, next] of graph.stateUpdates) {
    touch(state, end);
    touch(next, end);
  }
  // An in-place output's own lifetime starts where it is written.
  generated.forEach((_, step) => groups[step].outputs.forEach((v) => touch(v, step)));

  const lifetimes: Lifetime[] = [];
  for (const [id, l] of used) {
    const v = byId.get(id)!;
    if (regionOf(v) === 'arena') lifetimes.push({ key: id, bytes: tensorBytes(v), start: l.start, end: l.end });
  }
  const layout = planArena(lifetimes, align);
  // Naive: every intermediate its own buffer, in place or not.
  const naiveBytes = [...byId.values()]
    .filter((v) => regionOf(v) === 'arena' && (used.has(v.id) || aliases.has(v.id)))
    .reduce((sum, v) => sum + alignUp(Math.max(tensorBytes(v), 4), align), 0);

  const tensors: PlanTensor[] = [];
  const regionBytes: Record<PlanRegion, number> = { arena: layout.arenaBytes, constants: 0, states: 0 };
  const constants: PlanConstant[] = [];
  const states: PlanConstant[] = [];
  // States are laid out in graph order, whether or not a kernel reads them, so readState works.
  for (const v of graph.states.keys()) touch(v, end);
  for (const [id] of used) {
    const v = byId.get(id)!;
    const region = regionOf(v);
    const bytes = tensorBytes(v);
    if (bytes > limits.maxStorageBufferBindingSize) {
      throw new OutOfMemoryError(`${v.name || `value ${id}`}: ${bytes} bytes exceed the device's maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}`);
    }
    let offset: number;
    if (region === 'arena') offset = layout.offsets.get(id)!;
    else {
      offset = regionBytes[region];
      regionBytes[region] = alignUp(offset + Math.max(bytes, 4), align);
      const data = (region === 'constants' ? graph.constants : graph.states).get(v)!.data;
      (region === 'constants' ? constants : states).push({ tensor: id, data });
    }
    if (!isStaticShape(v.type.shape)) throw new Error(`compile: ${v} still has a symbolic shape`);
    tensors.push({ id, name: v.name, dtype: v.type.dtype, shape: v.type.shape, bytes, region, offset });
  }
  // Values computed in place share their owner's storage.
  const placed = new Map(tensors.map((t) => [t.id, t]));
  for (const [id, of] of aliases) {
    const v = byId.get(id)!;
    const home = placed.get(of)!;
    tensors.push({ ...home, id, name: v.name, dtype: v.type.dtype, shape: v.type.shape as number[] });
  }
  for (const r of ['arena', 'constants', 'states'] as const) {
    if (regionBytes[r] > limits.maxBufferSize) {
      throw new OutOfMemoryError(`the ${r} needs ${regionBytes[r]} bytes, more than the device's maxBufferSize ${limits.maxBufferSize}`);
    }
  }

  // Tensor ids are dense (tensor i has id i): the runtime indexes tensors by id.
  const dense = new Map(tensors.map((t, i) => [t.id, i]));
  const id = (valueId: number) => dense.get(valueId)!;
  const plan: Plan = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name: graph.name,
    tensors: tensors.map((t) => ({ ...t, id: id(t.id) })),
    kernels,
    steps: steps.map((s) => ({ ...s, tensors: s.tensors.map(id) })),
    inputs: graph.inputs.map((v) => ({ name: v.name, tensor: id(v.id) })),
    outputs: graph.outputs.map((v, i) => ({ name: v.name || `output_${i}`, tensor: id(v.id) })),
    constants: constants.map((c) => ({ ...c, tensor: id(c.tensor) })),
    states: states.map((c) => ({ ...c, tensor: id(c.tensor) })),
    // A state updated in place needs no copy.
    stateUpdates: [...graph.stateUpdates].filter(([s, next]) => owner(next.id) !== s.id).map(([s, next]) => ({ state: id(s.id), from: id(next.id) })),
    regionBytes,
    memory: { naiveBytes, arenaBytes: layout.arenaBytes, lowerBoundBytes: layout.lowerBoundBytes },
    requirements: requirementsOf(generated),
  };
  return {
    plan,
    report: { graph, groups, lifetimes, layout, schedulePeakBytes: schedule.peakBytes, originalOrderPeakBytes: schedule.originalPeakBytes },
  };
}

/** What a device must offer to run these kernels: shader-f16 for f16 storage, subgroups of enough lanes. */
function requirementsOf(kernels: readonly GeneratedKernel[]): Plan['requirements'] {
  const features: string[] = [];
  if (kernels.some((k) => k.wgsl.includes('enable f16;'))) features.push('shader-f16');
  const subgroupSize = Math.max(0, ...kernels.map((k) => k.subgroupSize ?? 0));
  if (subgroupSize > 0) features.push('subgroups');
  return { features, limits: subgroupSize > 0 ? { subgroupMinSize: subgroupSize } : {} };
}
