import { describe, expect, it } from 'vitest';
import type { Attrs, DType, Graph, Node, StaticShape, Value } from '../../ir/index.js';
import { GraphBuilder } from '../../ir/index.js';
import type { CodegenOptions, KernelGroup } from '../../targets/wgsl/codegen.js';
import { generateKernel } from '../../targets/wgsl/codegen.js';
import { TEMPLATES } from '../../targets/wgsl/templates/index.js';

/**
 * Golden WGSL: the kernel each template, and the generic path, emits for a small fixed group
 * under fixed options, kept as files in golden/. These are structure tests, not oracles: a
 * change to the emitted code fails here until someone has read the new file and updated it
 * (`npx vitest run test/structure/golden_wgsl.test.ts -u`). Whether the code computes the right
 * numbers is the GPU-vs-reference tests' job (test/compiler, test/ops).
 */

/** Fixed limits: no subgroups unless a case asks, default workgroup, WebGPU's default grid limit. */
const OPTIONS: CodegenOptions = { maxWorkgroupsPerDimension: 65535, subgroupMinSize: 0, workgroupSize: 64 };

interface GoldenCase {
  readonly name: string;
  /** The template expected to take the group; null: the generic one-invocation-per-element path. */
  readonly template: string | null;
  readonly build: (b: GraphBuilder) => void;
  /** The group's anchor (the reduction or contraction its loops come from), by op. */
  readonly anchor?: string;
  readonly options?: Partial<CodegenOptions>;
}

const input = (b: GraphBuilder, name: string, shape: StaticShape, dtype: DType = 'f32'): Value => b.input(name, dtype, shape);

const CONV_3X3: Attrs = { pads: [1, 1, 1, 1] };

const CASES: readonly GoldenCase[] = [
  {
    name: 'vec4_matmul',
    template: 'vec4_matmul',
    anchor: 'matmul',
    build: (b) => {
      const y = b.op('matmul', [input(b, 'x', [8, 16]), input(b, 'w', [16, 32])]);
      b.output(b.op('relu', [b.op('add', [y, input(b, 'bias', [32])])]), 'y');
    },
  },
  {
    name: 'vec4_matmul_subgroups',
    template: 'vec4_matmul',
    anchor: 'matmul',
    options: { subgroupMinSize: 8 },
    build: (b) => {
      b.output(b.op('matmul', [input(b, 'x', [16, 8]), input(b, 'w', [8, 12])]), 'y');
    },
  },
  {
    name: 'tiled_matmul',
    template: 'tiled_matmul',
    anchor: 'matmul',
    build: (b) => {
      // N = 7 rules out vec4 columns; a transposed operand is a fused prologue.
      const a = b.op('transpose', [input(b, 'a', [2, 6, 5])], { perm: [0, 2, 1] });
      const y = b.op('matmul', [a, input(b, 'w', [6, 7])]);
      b.output(b.op('mul', [y, input(b, 'scale', [7])]), 'y');
    },
  },
  {
    name: 'tiled_conv',
    template: 'tiled_conv',
    anchor: 'conv',
    build: (b) => {
      const y = b.op('conv', [input(b, 'x', [1, 3, 8, 8]), input(b, 'w', [8, 3, 3, 3]), input(b, 'bias', [8])], CONV_3X3);
      b.output(b.op('relu', [y]), 'y');
    },
  },
  {
    name: 'tiled_conv_subgroups',
    template: 'tiled_conv',
    anchor: 'conv',
    options: { subgroupMinSize: 8 },
    build: (b) => {
      b.output(b.op('conv', [input(b, 'x', [2, 4, 6, 6]), input(b, 'w', [16, 4, 3, 3])], CONV_3X3), 'y');
    },
  },
  {
    name: 'tiled_conv_grad_input',
    template: 'tiled_conv',
    anchor: 'convGradInput',
    build: (b) => {
      b.output(b.op('convGradInput', [input(b, 'dy', [1, 8, 6, 6]), input(b, 'w', [8, 3, 3, 3])], { ...CONV_3X3, inputShape: [1, 3, 6, 6] }), 'dx');
    },
  },
  {
    name: 'tiled_conv_grad_weight',
    template: 'tiled_conv_grad_weight',
    anchor: 'convGradWeight',
    build: (b) => {
      const dw = b.op('convGradWeight', [input(b, 'x', [2, 3, 6, 6]), input(b, 'dy', [2, 4, 6, 6])], { ...CONV_3X3, weightShape: [4, 3, 3, 3] });
      b.output(b.op('mul', [dw, input(b, 'lr', [])]), 'dw');
    },
  },
  {
    name: 'row_template',
    template: 'row_template',
    anchor: 'softmax',
    build: (b) => {
      const p = b.op('softmax', [input(b, 'x', [4, 10])], { axis: -1 });
      b.output(b.op('mul', [p, input(b, 'scale', [4, 10])]), 'p');
    },
  },
  {
    name: 'row_matmul',
    template: 'row_matmul',
    anchor: 'matmul',
    build: (b) => {
      const y = b.op('matmul', [input(b, 'x', [1, 16]), input(b, 'w', [16, 8])]);
      b.output(b.op('add', [y, input(b, 'bias', [8])]), 'y');
    },
  },
  {
    name: 'concat_copy',
    template: 'concat_copy',
    build: (b) => {
      // A cache append: past [1, 2, 5, 8] ++ a new row sliced from a projection and transposed.
      const k = b.op('slice', [input(b, 'qkv', [1, 1, 48])], { starts: [16], ends: [32], axes: [2], steps: [1] });
      const row = b.op('transpose', [b.op('reshape', [k], { shape: [1, 1, 2, 8] })], { perm: [0, 2, 1, 3] });
      b.output(b.op('concat', [input(b, 'past', [1, 2, 5, 8]), row], { axis: 2 }), 'present');
    },
  },
  {
    name: 'concat_copy_scalar',
    template: 'concat_copy',
    build: (b) => {
      b.output(b.op('concat', [input(b, 'x', [3, 1]), b.op('neg', [input(b, 'y', [3, 17])]), input(b, 'z', [3, 3])], { axis: 1 }), 'out');
    },
  },
  {
    name: 'attention',
    template: 'attention',
    anchor: 'attention',
    build: (b) => {
      // 5 keys: a partial block of 8; a residual add as the epilogue.
      const q = input(b, 'q', [2, 3, 4]);
      const y = b.op('attention', [q, input(b, 'k', [2, 4, 5]), input(b, 'v', [2, 5, 4]), input(b, 'scale', []), input(b, 'mask', [3, 5])]);
      b.output(b.op('add', [y, q]), 'y');
    },
  },
  {
    name: 'generic_elementwise_broadcast',
    template: null,
    build: (b) => {
      const s = b.op('add', [input(b, 'x', [4, 1, 3]), input(b, 'y', [5, 3])]);
      b.output(b.op('mul', [b.op('exp', [s]), input(b, 'z', [3])]), 'out');
    },
  },
  {
    name: 'generic_reduction',
    template: null,
    anchor: 'reduceSum',
    build: (b) => {
      const sq = b.op('mul', [input(b, 'x', [4, 6, 5]), input(b, 'x2', [4, 6, 5])]);
      b.output(b.op('sqrt', [b.op('reduceSum', [sq], { axes: [1], keepdims: false })]), 'norm');
    },
  },
  {
    name: 'generic_gather_transpose',
    template: null,
    build: (b) => {
      const rows = b.op('gather', [input(b, 'table', [10, 4]), input(b, 'i', [3, 2], 'i32')], { axis: 0 });
      b.output(b.op('transpose', [rows], { perm: [2, 0, 1] }), 'out');
    },
  },
];

/** The whole graph as one group: every node, the graph outputs, the anchor if named. */
function groupOf(graph: Graph, anchorOp: string | undefined): KernelGroup {
  const anchor: Node | null = anchorOp === undefined ? null : (graph.nodes.find((n) => n.op === anchorOp) ?? null);
  if (anchorOp !== undefined && !anchor) throw new Error(`no '${anchorOp}' node to anchor the group`);
  return { nodes: graph.nodes, outputs: graph.outputs, anchor };
}

describe('golden WGSL', () => {
  it('covers every template', () => {
    const covered = new Set(CASES.map((c) => c.template));
    expect(TEMPLATES.map((t) => t.name).filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(CASES)('$name', async (c) => {
    const b = new GraphBuilder(c.name);
    c.build(b);
    const group = groupOf(b.graph, c.anchor);
    expect(TEMPLATES.find((t) => t.matches(group))?.name ?? null, 'the template that matches').toBe(c.template);
    const kernel = generateKernel(group, { ...OPTIONS, ...c.options });
    const header = [
      `// ${c.name}: ${kernel.name}`,
      `// workgroup size ${kernel.workgroupSize.join('x')}, dispatch ${kernel.dispatch.join('x')}, bindings [${kernel.bindings.join(', ')}]` +
        (kernel.subgroupSize ? `, subgroup size ${kernel.subgroupSize}` : ''),
    ];
    await expect(`${header.join('\n')}\n${kernel.wgsl}`).toMatchFileSnapshot(`golden/${c.name}.wgsl`);
  });
});
