import type { DimFact, DimFacts } from '../../ir/index.js';
import { splitDims } from '../../ir/index.js';
import { UsageError } from '../../ir/index.js';
import type { CodegenOptions } from '../../targets/wgsl/codegen.js';
import type { SizeUniforms } from '../../targets/wgsl/kernel_builder.js';
import type { StageEvent } from './stage_event.js';

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
  /**
   * The graph's symbolic dims: a size specializes the dim (the plan serves that size only); a
   * fact (`{ min: 1, max: 64 }`, `{ multipleOf: 8 }`) keeps it symbolic with what is known of it.
   * Dims not named stay symbolic: the plan runs at any size of them (bound from the inputs).
   */
  readonly dims?: Readonly<Record<string, number | DimFact>>;
  /**
   * Which sizes kernels read from a uniform instead of baking in: 'symbolic' (default) only the
   * symbolic ones; 'all' every one, so that layers of one structure share a WGSL module.
   */
  readonly sizeUniforms?: SizeUniforms;
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
  /**
   * Run the `fuseAttention` pass: matmul → softmax → matmul chains become one attention kernel
   * (default off). On lavapipe the fused kernel measured slower than the three it replaces
   * (transformer block s128 d256 h4: 4.6 vs 2.4 ms, best of 5 profiles): its per-row loops
   * index private arrays, which lavapipe runs lane by lane, where the tiled matmuls keep their
   * tiles in registers.
   */
  readonly fuseAttention?: boolean;
  /**
   * The most bytes the arena may take: past it, values live across the memory peak are
   * recomputed after it (compiler/remat); a budget even full recomputation cannot meet is an
   * OutOfMemoryError naming both numbers. Absent: no limit, nothing recomputed.
   */
  readonly memoryBudget?: number;
  /** Graph passes to skip, by name (`PASS_NAMES` in compiler/pipeline.ts); 'all' skips every one. */
  readonly disablePasses?: readonly string[] | 'all';
  /**
   * Called after every lowering stage and every graph pass that ran, with its result (for
   * `--print-ir-after`: see `printAfter` in compiler/lowering/print_after.ts).
   */
  readonly onStage?: (event: StageEvent) => void;
}

/** The options every stage sees: the caller's, with the device's limits complete and the dims split into sizes and facts. */
export interface LoweringOptions extends Omit<CompileOptions, 'limits'> {
  readonly limits: TargetLimits;
  /** The dims the plan is specialized to. */
  readonly sizes: Readonly<Record<string, number>>;
  /** What is known of the dims that stay symbolic. */
  readonly facts: DimFacts;
}

export function resolveOptions(options: CompileOptions): LoweringOptions {
  const budget = options.memoryBudget;
  if (budget !== undefined && !(Number.isSafeInteger(budget) && budget >= 0)) throw new UsageError(`memoryBudget ${budget} must be a whole number of bytes`);
  const { sizes, facts } = splitDims(options.dims);
  return { ...options, limits: { ...DEFAULT_LIMITS, ...(options.limits ?? {}) }, sizes, facts };
}

/** What code generation needs of the options (in-place aliases apart: the stages add those). */
export function codegenOptions(options: LoweringOptions): CodegenOptions {
  return {
    maxWorkgroupsPerDimension: options.limits.maxComputeWorkgroupsPerDimension,
    subgroupMinSize: options.limits.subgroupMinSize,
    templates: options.templates,
    matmulConfig: options.matmulConfig,
    vec4MatmulConfig: options.vec4MatmulConfig,
    convConfig: options.convConfig,
    sizeUniforms: options.sizeUniforms,
    dimFacts: options.facts,
  };
}
