import type { Graph, Value } from '../../ir/index.js';
import type { CodegenOptions, GeneratedKernel } from '../../targets/wgsl/codegen.js';
import { generateKernel } from '../../targets/wgsl/codegen.js';
import type { FusedGroup } from '../fusion/partition.js';
import { partitionIntoKernels } from '../fusion/partition.js';
import { elideViews, findInPlace } from '../memory/in_place.js';
import { scheduleForMemory } from '../schedule/order.js';
import type { LoweringOptions } from './options.js';
import { codegenOptions } from './options.js';
import { representativeSizes } from './values.js';

/**
 * The stages from a graph to its kernels: cut it into fused groups, order them, drop the
 * groups that are only views, generate each group's WGSL, and let kernels write in place. Each
 * value carries the one before it forward, so later stages (and the report) see all of it.
 */

/** The graph cut into kernel groups, in graph order. */
export interface Partitioned {
  readonly graph: Graph;
  readonly groups: readonly FusedGroup[];
}

/** The groups in the order they will run, with the peak live bytes that order costs. */
export interface Scheduled extends Partitioned {
  readonly schedulePeakBytes: number;
  /** The same peak over the graph's own order (the schedule is kept only when it beats it). */
  readonly originalOrderPeakBytes: number;
}

/** The schedule with the recomputations a memory budget asks for (compiler/remat). */
export interface Rematerialized extends Scheduled {
  /** Kernels that recompute values for readers after the memory peak (copies of earlier kernels). */
  readonly recomputed: readonly FusedGroup[];
}

/** Only the groups that need a kernel; a lone reshape of an arena value is a view of its storage instead. */
export interface Viewed extends Rematerialized {
  /** View value id → the value id whose storage it reads. */
  readonly views: ReadonlyMap<number, number>;
}

/** One kernel per group (same index). */
export interface Generated extends Viewed {
  readonly kernels: readonly GeneratedKernel[];
}

/** Outputs written over inputs that die in their kernel; those kernels generated again to bind one buffer for both. */
export interface InPlaced extends Generated {
  /** Value id → the value id whose storage it lives in: the views and the in-place outputs. */
  readonly aliases: ReadonlyMap<number, number>;
}

/** How a stage gets a group's kernel: `generateKernel`, or a cache of its results (compiler/remat/kernel_cache.ts). */
export type KernelGenerator = (group: FusedGroup, target: CodegenOptions) => GeneratedKernel;

export function partition(graph: Graph, options: LoweringOptions): Partitioned {
  return { graph, groups: partitionIntoKernels(graph, options.fusion ?? true, options.limits.maxStorageBuffersPerShaderStage) };
}

export function schedule(input: Partitioned, options: LoweringOptions): Scheduled {
  const { graph, groups } = input;
  const pinned = new Set<Value>([...graph.outputs, ...graph.stateUpdates.values()]);
  const result = scheduleForMemory(groups, pinned, new Set(graph.inputs), representativeSizes(graph, options.facts));
  return {
    ...input,
    groups: options.memorySchedule === false ? groups : result.order,
    schedulePeakBytes: result.peakBytes,
    originalOrderPeakBytes: result.originalPeakBytes,
  };
}

export function elideViewKernels(input: Rematerialized, options: LoweringOptions): Viewed {
  if (options.inPlace === false) return { ...input, views: new Map() };
  const { kernelGroups, views } = elideViews(input.graph, input.groups);
  return { ...input, groups: kernelGroups, views };
}

export function codegen(input: Viewed, options: LoweringOptions, generate: KernelGenerator = generateKernel): Generated {
  const target = { ...codegenOptions(options), aliases: input.views };
  return { ...input, kernels: input.groups.map((g) => generate(g, target)) };
}

export function writeInPlace(input: Generated, options: LoweringOptions, generate: KernelGenerator = generateKernel): InPlaced {
  if (options.inPlace === false) return { ...input, aliases: input.views };
  const inPlace = findInPlace(input.graph, input.groups, input.kernels);
  if (inPlace.size === 0) return { ...input, aliases: input.views };
  const aliases = new Map([...input.views, ...inPlace]);
  const target = { ...codegenOptions(options), aliases };
  const kernels = input.groups.map((g, i) => (g.outputs.some((v) => inPlace.has(v.id)) ? generate(g, target) : input.kernels[i]));
  return { ...input, kernels, aliases };
}
