import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { runPasses } from '../../compiler/pipeline.js';
import { specialize } from '../../compiler/passes/specialize.js';
import type { Graph, HostTensor, StaticShape, Value } from '../../ir/index.js';
import { GraphBuilder, hostTensor, numel } from '../../ir/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/**
 * Fused attention: the fuseAttention pass (compile option `fuseAttention`) turns matmul → scale →
 * mask → softmax → matmul, as an exporter writes it, into one attention op, and its template
 * computes it in one kernel. Every
 * GPU result is checked against the reference interpreter running the graph as written (the
 * unfused ops), on odd sizes: one key, partial key blocks, one query row, batches, masks that
 * hide whole blocks, the scale multiplied or divided.
 */

type MaskKind = 'none' | 'causal' | 'late' | 'keys';

interface Case {
  readonly batch: StaticShape;
  readonly rows: number;
  readonly keys: number;
  readonly d: number;
  readonly dv: number;
  readonly mask: MaskKind;
  readonly divide?: boolean;
}

/** An additive mask: 0 where a key is seen, −∞ where hidden; every row sees at least one key. */
function maskTensor(kind: MaskKind, rows: number, keys: number): HostTensor {
  if (kind === 'keys') {
    // Key padding, broadcast over rows: the first key always seen.
    return hostTensor('f32', [keys], Float32Array.from({ length: keys }, (_, j) => (j % 3 === 2 ? -Infinity : 0)));
  }
  const data = new Float32Array(rows * keys);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < keys; j++) {
      // causal: keys after the row hidden; late: only the last key, and the row's own, seen
      // (whole blocks of 8 keys hidden before any seen one).
      const hidden = kind === 'causal' ? j > i : j !== keys - 1 && j !== i % keys;
      data[i * keys + j] = hidden ? -Infinity : 0.25 * Math.sin(i + 2 * j);
    }
  }
  return hostTensor('f32', [rows, keys], data);
}

/** The graph as an exporter writes it; q, k, v as inputs, k transposed in the graph. */
function attentionGraph(c: Case): Graph {
  const b = new GraphBuilder('attention');
  const q = b.input('q', 'f32', [...c.batch, c.rows, c.d]);
  const k = b.input('k', 'f32', [...c.batch, c.keys, c.d]);
  const v = b.input('v', 'f32', [...c.batch, c.keys, c.dv]);
  const perm = [...c.batch.keys(), c.batch.length + 1, c.batch.length];
  const scores = b.op('matmul', [q, b.op('transpose', [k], { perm })]);
  const scaled = c.divide ? b.op('div', [scores, b.constant(hostTensor('f32', [], [Math.sqrt(c.d)]))]) : b.op('mul', [scores, b.constant(hostTensor('f32', [], [1 / Math.sqrt(c.d)]))]);
  let logits: Value = scaled;
  if (c.mask !== 'none') logits = b.op('add', [scaled, b.constant(maskTensor(c.mask, c.rows, c.keys))]);
  b.output(b.op('matmul', [b.op('softmax', [logits], { axis: -1 }), v]), 'y');
  return b.graph;
}

function inputsOf(c: Case): Record<string, HostTensor> {
  return {
    q: randomTensor('f32', [...c.batch, c.rows, c.d], 1, -1, 1),
    k: randomTensor('f32', [...c.batch, c.keys, c.d], 2, -1, 1),
    v: randomTensor('f32', [...c.batch, c.keys, c.dv], 3, -1, 1),
  };
}

const CASES: readonly Case[] = [
  { batch: [1], rows: 1, keys: 1, d: 1, dv: 1, mask: 'none' },
  { batch: [2], rows: 3, keys: 5, d: 3, dv: 2, mask: 'causal' },
  { batch: [2, 3], rows: 17, keys: 33, d: 16, dv: 5, mask: 'late', divide: true },
  { batch: [4], rows: 16, keys: 16, d: 64, dv: 64, mask: 'causal' },
  { batch: [1], rows: 9, keys: 17, d: 8, dv: 12, mask: 'keys' },
  { batch: [3], rows: 70, keys: 9, d: 4, dv: 3, mask: 'none', divide: true },
];

describe('fused attention', () => {
  it.each(CASES)('$batch × $rows rows × $keys keys, d $d → $dv, mask $mask', async (c) => {
    const graph = attentionGraph(c);
    const optimized = runPasses(graph);
    expect(optimized.nodes.map((n) => n.op)).toEqual(['transpose', 'attention']);
    const device = await getDefaultDevice();
    const plan = compile(graph, { limits: device.limits, fuseAttention: true });
    expect(plan.kernels.map((k) => k.name)).toEqual(['transpose+attention']);
    expect(plan.kernels[0].wgsl).toContain('var qrow');
    const inputs = inputsOf(c);
    const want = interpret(graph, inputs).outputs.y;
    expect(numel(want.shape)).toBe(numel([...c.batch, c.rows, c.dv]));
    expectClose((await runOnGpu(graph, inputs, { fuseAttention: true })).y, want, { rtol: 1e-4, atol: 1e-5 }, 'template');
    // The generic lowering (no templates) computes the same.
    expectClose((await runOnGpu(graph, inputs, { templates: false, fuseAttention: true })).y, want, { rtol: 1e-4, atol: 1e-5 }, 'generic');
  });

  it('takes an epilogue: a residual add on the attention output', async () => {
    const c: Case = { batch: [2], rows: 5, keys: 11, d: 6, dv: 6, mask: 'causal' };
    const b = new GraphBuilder('residual');
    const q = b.input('q', 'f32', [2, 5, 6]);
    const k = b.input('k', 'f32', [2, 6, 11]);
    const v = b.input('v', 'f32', [2, 11, 6]);
    const p = b.op('softmax', [b.op('add', [b.constant(maskTensor('causal', 5, 11)), b.op('matmul', [q, k])])], { axis: 2 });
    b.output(b.op('add', [b.op('matmul', [p, v]), q]), 'y');
    const plan = compile(b.graph, { limits: (await getDefaultDevice()).limits, fuseAttention: true });
    expect(plan.kernels.map((kernel) => kernel.name)).toEqual(['attention+add']);
    const inputs = { q: inputsOf(c).q, k: randomTensor('f32', [2, 6, 11], 5, -1, 1), v: randomTensor('f32', [2, 11, 6], 6, -1, 1) };
    expectClose((await runOnGpu(b.graph, inputs, { fuseAttention: true })).y, interpret(b.graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-5 });
  });

  it('leaves the chain alone where the probabilities are read elsewhere, or softmax is not over the keys', () => {
    const b = new GraphBuilder('kept');
    const q = b.input('q', 'f32', [4, 8]);
    const k = b.input('k', 'f32', [8, 6]);
    const v = b.input('v', 'f32', [6, 3]);
    const p = b.op('softmax', [b.op('matmul', [q, k])], { axis: -1 });
    b.output(b.op('matmul', [p, v]), 'y');
    b.output(p, 'p');
    expect(runPasses(b.graph).nodes.map((n) => n.op)).toEqual(['matmul', 'softmax', 'matmul']);

    const c = new GraphBuilder('axis0');
    const scores = c.op('matmul', [c.input('q', 'f32', [6, 8]), c.input('k', 'f32', [8, 6])]);
    c.output(c.op('matmul', [c.op('softmax', [scores], { axis: 0 }), c.input('v', 'f32', [6, 3])]), 'y');
    expect(runPasses(c.graph).nodes.map((n) => n.op)).toEqual(['matmul', 'softmax', 'matmul']);
  });

  it('is off by default in compile (and by name in the passes); the graph then runs as written', async () => {
    const c = CASES[1];
    const graph = attentionGraph(c);
    expect(runPasses(graph, { disable: ['fuseAttention'] }).nodes.map((n) => n.op)).not.toContain('attention');
    const device = await getDefaultDevice();
    expect(compile(graph, { limits: device.limits }).kernels.map((k) => k.name)).not.toContain('transpose+attention');
    expect(compile(graph, { limits: device.limits, fuseAttention: true, disablePasses: ['fuseAttention'] }).kernels.map((k) => k.name)).not.toContain('transpose+attention');
    const inputs = inputsOf(c);
    expectClose((await runOnGpu(graph, inputs)).y, interpret(graph, inputs).outputs.y, { rtol: 1e-4, atol: 1e-5 });
  });

  it('serves a symbolic sequence length S from one plan: template and generic lowering, S = 1, 5, 17', async () => {
    // Self-attention over S tokens (rows = keys = S): partial key blocks at 5 and 17, one key at 1.
    const b = new GraphBuilder('symbolic');
    const q = b.input('q', 'f32', [2, 'S', 8]);
    const k = b.input('k', 'f32', [2, 'S', 8]);
    const v = b.input('v', 'f32', [2, 'S', 6]);
    const scores = b.op('mul', [b.op('matmul', [q, b.op('transpose', [k], { perm: [0, 2, 1] })]), b.constant(hostTensor('f32', [], [1 / Math.sqrt(8)]))]);
    b.output(b.op('matmul', [b.op('softmax', [scores], { axis: -1 }), v]), 'y');
    const device = await getDefaultDevice();
    for (const templates of [true, false]) {
      const plan = compile(b.graph, { limits: device.limits, fuseAttention: true, templates });
      expect(plan.symbolic, 'S stays symbolic').toBeDefined();
      expect(plan.kernels.map((kernel) => kernel.name)).toContain('transpose+attention');
      if (templates) expect(plan.kernels.find((kernel) => kernel.name === 'transpose+attention')!.wgsl).toContain('var qrow');
      const exe = await Executable.load(plan, device);
      try {
        for (const S of [1, 5, 17]) {
          const inputs = { q: randomTensor('f32', [2, S, 8], S, -1, 1), k: randomTensor('f32', [2, S, 8], S + 1, -1, 1), v: randomTensor('f32', [2, S, 6], S + 2, -1, 1) };
          const want = interpret(specialize(b.graph, new Map([['S', S]])), inputs).outputs.y;
          expectClose((await exe.run(inputs)).y, want, { rtol: 1e-4, atol: 1e-5 }, `${templates ? 'template' : 'generic'} at S = ${S}`);
        }
      } finally {
        exe.dispose();
      }
    }
  });
});
