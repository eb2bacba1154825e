import type { Node, StaticShape, Value } from '../../ir/index.js';
import { numel, ShapeError } from '../../ir/index.js';
import { toStorage } from './expr.js';
import type { BuiltKernel } from './kernel_builder.js';
import { KernelBuilder, unravel } from './kernel_builder.js';
import './ops/index.js';
import { lowerNodes } from './templates/group_lowering.js';
import { generateRowKernel, matchesRowTemplate } from './templates/row_template.js';
import type { TiledConvConfig } from './templates/tiled_conv.js';
import { generateTiledConv, matchesTiledConv } from './templates/tiled_conv.js';
import type { Vec4MatmulConfig } from './templates/vec4_matmul.js';
import { defaultVec4MatmulConfig, generateVec4Matmul, matchesVec4Matmul } from './templates/vec4_matmul.js';
import type { TiledMatmulConfig } from './templates/tiled_matmul.js';
import { defaultMatmulConfig, generateTiledMatmul, matchesTiledMatmul } from './templates/tiled_matmul.js';
import { generateTiledConvGradWeight, matchesTiledConvGradWeight } from './templates/tiled_conv_grad_weight.js';

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

export interface CodegenOptions {
  readonly maxWorkgroupsPerDimension: number;
  /** Lanes every subgroup of the device has at least (0 or absent: no subgroup operations). */
  readonly subgroupMinSize?: number;
  readonly workgroupSize?: number;
  /** Tile configuration of the matmul template (autotuned per shape and adapter). */
  readonly matmulConfig?: (group: KernelGroup) => TiledMatmulConfig | undefined;
  readonly vec4MatmulConfig?: (group: KernelGroup) => Vec4MatmulConfig | undefined;
  readonly convConfig?: (group: KernelGroup) => TiledConvConfig | undefined;
  /** Off: every group takes the generic one-invocation-per-element path. */
  readonly templates?: boolean;
  /** In-place outputs: output value id → the input value id whose binding it writes through. */
  readonly aliases?: ReadonlyMap<number, number>;
}

/** What a template needs to know of the device and the plan beyond its group and tile config. */
export type TemplateTarget = Pick<CodegenOptions, 'maxWorkgroupsPerDimension' | 'subgroupMinSize' | 'aliases'>;

/** Splits a 1-D count of workgroups into a 2-D grid when it exceeds the per-dimension limit. */
export function gridFor(workgroups: number, maxPerDim: number): [number, number, number] {
  if (workgroups <= maxPerDim) return [workgroups, workgroups === 0 ? 0 : 1, workgroups === 0 ? 0 : 1];
  const y = Math.ceil(workgroups / maxPerDim);
  if (y > maxPerDim) throw new ShapeError(`kernel needs ${workgroups} workgroups, more than ${maxPerDim}² the device allows`);
  return [Math.ceil(workgroups / y), y, 1];
}

function staticShapeOf(v: Value): StaticShape {
  return v.type.shape as StaticShape;
}

/**
 * One kernel for a group: each invocation computes one element of the outputs. Every output must
 * have the same element count (the group's iteration space); outputs of other shapes belong to
 * other groups.
 */
export function generateKernel(group: KernelGroup, options: CodegenOptions): GeneratedKernel {
  if (numel(staticShapeOf(group.outputs[0])) === 0) return emptyKernel(group);
  if (options.templates !== false) {
    const kernel = generateTemplated(group, options);
    if (kernel) return kernel;
  }
  return generateElementwiseKernel(group, options);
}

/** The group's kernel from the first template that takes it, or null. */
function generateTemplated(group: KernelGroup, options: CodegenOptions): GeneratedKernel | null {
  const subgroupMinSize = options.subgroupMinSize ?? 0;
  if (matchesTiledMatmul(group)) {
    const wide = matchesVec4Matmul(group) ? generateVec4Matmul(group, options.vec4MatmulConfig?.(group) ?? defaultVec4MatmulConfig(subgroupMinSize), options) : null;
    return wide ?? generateTiledMatmul(group, options.matmulConfig?.(group) ?? defaultMatmulConfig(subgroupMinSize), options);
  }
  if (matchesRowTemplate(group)) return generateRowKernel(group, options.maxWorkgroupsPerDimension);
  if (matchesTiledConvGradWeight(group)) return generateTiledConvGradWeight(group, options.convConfig?.(group), options);
  if (matchesTiledConv(group)) return generateTiledConv(group, options.convConfig?.(group), options);
  return null;
}

/** Outputs with no elements: nothing to compute, a dispatch the runtime skips. */
function emptyKernel(group: KernelGroup): GeneratedKernel {
  return {
    name: group.nodes.map((n) => n.op).join('+'),
    wgsl: '@compute @workgroup_size(1)\nfn main() {}\n',
    entryPoint: 'main',
    workgroupSize: [1, 1, 1],
    bindings: [],
    dispatch: [0, 0, 0],
  };
}

/** The generic path: one invocation per output element, everything inlined into it. */
function generateElementwiseKernel(group: KernelGroup, options: CodegenOptions): GeneratedKernel {
  const b = new KernelBuilder(options.aliases);
  const wg = options.workgroupSize ?? 64;
  const total = numel(staticShapeOf(group.outputs[0]));
  b.line(`let idx = gid.x + gid.y * (nwg.x * ${wg}u);`);
  b.line(`if (idx >= ${total}u) { return; }`);
  const accesses = lowerNodes(b, group, null);

  for (const v of group.outputs) {
    if (numel(staticShapeOf(v)) !== total) throw new Error(`codegen: outputs of one kernel must have equal sizes (${v})`);
  }
  const dispatch = gridFor(Math.ceil(total / wg), options.maxWorkgroupsPerDimension);

  // Accesses emit their statements on demand: computing each output's value writes the body.
  const outNames = group.outputs.map((v) => b.bind(v.id, v.type.dtype));
  const coordsByShape = new Map<string, string[]>();
  group.outputs.forEach((v, i) => {
    const shape = staticShapeOf(v);
    let coords = coordsByShape.get(shape.join(','));
    if (!coords) coordsByShape.set(shape.join(','), (coords = unravel(b, 'idx', shape)));
    const value = accesses.get(v)!.at(coords);
    b.line(`${outNames[i]}[idx] = ${toStorage(value, v.type.dtype)};`);
  });
  const shapes = [...coordsByShape.keys()];
  const elementwiseInputs = shapes.length === 1 ? b.readsOnlyAt([coordsByShape.get(shapes[0])!]) : [];
  return { ...b.finish(group.nodes.map((n) => n.op).join('+'), 'per-element', [wg, 1, 1], dispatch), elementwiseInputs };
}
