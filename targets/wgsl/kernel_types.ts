import type { DimFacts, Node, Value } from '../../ir/index.js';
import type { BuiltKernel, SizeUniforms } from './kernel_builder.js';
import type { TiledConvConfig, TiledMatmulConfig, Vec4MatmulConfig } from './templates/tile_configs.js';

/**
 * What code generation takes and gives, shared by codegen.ts and the templates (a leaf, so
 * that neither imports the other's file for them).
 */

/** A set of nodes computed by one kernel; `outputs` are the values it writes to memory. */
export interface KernelGroup {
  readonly nodes: readonly Node[];
  readonly outputs: readonly Value[];
  /**
   * The reduction/contraction whose loops shape the kernel. Fusion guarantees every node between
   * it and the output reads it elementwise, so templates may evaluate the epilogue on registers.
   */
  readonly anchor?: Node | null;
}

export interface GeneratedKernel extends BuiltKernel {
  /** Inputs each invocation reads only at the element it writes: candidates for in-place outputs. */
  readonly elementwiseInputs?: readonly number[];
}

/** Tuned tile configurations per template family; undefined (or no callback): the template's default. */
export interface TileConfigChoices {
  readonly matmulConfig?: (group: KernelGroup) => TiledMatmulConfig | undefined;
  readonly vec4MatmulConfig?: (group: KernelGroup) => Vec4MatmulConfig | undefined;
  readonly convConfig?: (group: KernelGroup) => TiledConvConfig | undefined;
}

export interface CodegenOptions extends TileConfigChoices {
  readonly maxWorkgroupsPerDimension: number;
  /** Lanes every subgroup of the device has at least (0 or absent: no subgroup operations). */
  readonly subgroupMinSize?: number;
  readonly workgroupSize?: number;
  /** Off: every group takes the generic one-invocation-per-element path. */
  readonly templates?: boolean;
  /** In-place outputs: output value id → the input value id whose binding it writes through. */
  readonly aliases?: ReadonlyMap<number, number>;
  /** Which sizes kernels read from their uniform (default 'symbolic': only symbolic ones). */
  readonly sizeUniforms?: SizeUniforms;
  /** What is known of the symbolic dims (bounds, divisors): templates ask it before relying on a size. */
  readonly dimFacts?: DimFacts;
}

/** What a template needs to know of the device and the plan beyond its group and tile config. */
export type TemplateTarget = Pick<CodegenOptions, 'maxWorkgroupsPerDimension' | 'subgroupMinSize' | 'aliases' | 'sizeUniforms' | 'dimFacts'>;

/**
 * A kernel template: a specialized kernel for the groups it matches (typically by anchor op and
 * shapes), generated with the same lowerings as the generic path for the fused prologues and
 * epilogue. Codegen walks `TEMPLATES` (templates/index.ts) in order and takes the first kernel a
 * matching template generates; `generate` may still decline (null: e.g. a grid past the
 * device's limits), and the next template, or the generic path, takes the group.
 */
export interface KernelTemplate {
  readonly name: string;
  /** Whether the template takes the group; `facts` says what is known of its symbolic dims. */
  matches(group: KernelGroup, facts?: DimFacts): boolean;
  generate(group: KernelGroup, target: TemplateTarget, config: TileConfigChoices): GeneratedKernel | null;
}
