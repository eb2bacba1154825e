import type { Shape, Value } from '../../ir/index.js';
import { ceilDivDims, shapeNumel } from '../../ir/index.js';
import { toStorage } from './expr.js';
import { gridFor } from './grid.js';
import { KernelBuilder, unravel } from './kernel_builder.js';
import type { CodegenOptions, GeneratedKernel, KernelGroup } from './kernel_types.js';
import './ops/index.js';
import { lowerNodes } from './templates/group_lowering.js';
import { TEMPLATES } from './templates/index.js';

// The WGSL target's entry point: the compiler imports code generation and its types from here.
export type { CodegenOptions, GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget, TileConfigChoices } from './kernel_types.js';

function shapeOf(v: Value): Shape {
  return v.type.shape;
}

/**
 * One kernel for a group: the first template's (templates/index.ts) that takes it, else the
 * generic kernel, where each invocation computes one element of the outputs. Every output must
 * have the same element count (the group's iteration space); outputs of other shapes belong to
 * other groups.
 */
export function generateKernel(group: KernelGroup, options: CodegenOptions): GeneratedKernel {
  if (shapeNumel(shapeOf(group.outputs[0])) === 0) return emptyKernel(group);
  if (options.templates !== false) {
    const kernel = generateTemplated(group, options);
    if (kernel) return kernel;
  }
  return generateElementwiseKernel(group, options);
}

/** The group's kernel from the first template that matches it and generates one, or null. */
function generateTemplated(group: KernelGroup, options: CodegenOptions): GeneratedKernel | null {
  for (const template of TEMPLATES) {
    if (!template.matches(group, options.dimFacts)) continue;
    const kernel = template.generate(group, options, options);
    if (kernel) return kernel;
  }
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
    sizes: [],
  };
}

/** The generic path: one invocation per output element, everything inlined into it. */
function generateElementwiseKernel(group: KernelGroup, options: CodegenOptions): GeneratedKernel {
  const b = new KernelBuilder(options.aliases, options.sizeUniforms);
  const wg = options.workgroupSize ?? 64;
  const total = shapeNumel(shapeOf(group.outputs[0]));
  b.line(`let idx = gid.x + gid.y * (nwg.x * ${wg}u);`);
  b.line(`if (idx >= ${b.size(total)}) { return; }`);
  const accesses = lowerNodes(b, group, null);

  for (const v of group.outputs) {
    if (shapeNumel(shapeOf(v)) !== total) throw new Error(`codegen: outputs of one kernel must have equal sizes (${v})`);
  }

  // Accesses emit their statements on demand: computing each output's value writes the body.
  const outNames = group.outputs.map((v) => b.bind(v.id, v.type.dtype));
  const coordsByShape = new Map<string, string[]>();
  group.outputs.forEach((v, i) => {
    const shape = shapeOf(v);
    let coords = coordsByShape.get(shape.join(','));
    if (!coords) coordsByShape.set(shape.join(','), (coords = unravel(b, 'idx', shape)));
    const value = accesses.get(v)!.at(coords);
    b.line(`${outNames[i]}[idx] = ${toStorage(value, v.type.dtype)};`);
  });
  const shapes = [...coordsByShape.keys()];
  const elementwiseInputs = shapes.length === 1 ? b.readsOnlyAt([coordsByShape.get(shapes[0])!]) : [];
  const name = group.nodes.map((n) => n.op).join('+');
  // A static count is split into a grid here; a symbolic one by the runtime once it is known.
  const kernel =
    typeof total === 'number'
      ? b.finish(name, 'per-element', [wg, 1, 1], gridFor(Math.ceil(total / wg), options.maxWorkgroupsPerDimension))
      : b.finish(name, 'per-element', [wg, 1, 1], [ceilDivDims(total, wg), 1, 1], true);
  return { ...kernel, elementwiseInputs };
}
