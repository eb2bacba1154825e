import { describe, expect, it } from 'vitest';
import { derivePlanRequirements } from '../../compiler/artifact/requirements.js';
import { compile } from '../../compiler/compile.js';
import { planArena } from '../../compiler/memory/arena.js';
import { buildTrainingGraph } from '../../compiler/train/compile_training.js';
import { mnistMlp } from '../../examples/mnist_models.js';
import { crossEntropy, optim } from '../../index.js';
import type { Graph, Plan } from '../../ir/index.js';
import { ArtifactError, GraphBuilder, hostTensor } from '../../ir/index.js';
import type { DeviceCaps } from '../../runtime/plan_check.js';
import { checkPlan, REGIONS } from '../../runtime/plan_check.js';
import { transformerBlock } from '../models/builders.js';

/**
 * One region-size rule (ir/plan.ts) for the compiler that lays regions out and the runtime that
 * checks plans and sizes their buffers: both must see the same region sizes.
 */

/** A device with room for anything these plans need. */
const CAPS: DeviceCaps = {
  features: new Set(['shader-f16', 'subgroups']),
  adapterDescription: 'test',
  limits: {
    minStorageBufferOffsetAlignment: 32,
    maxBufferSize: 1 << 30,
    maxStorageBufferBindingSize: 1 << 30,
    maxStorageBuffersPerShaderStage: 16,
    maxBindingsPerBindGroup: 16,
    maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024,
    maxComputeWorkgroupSizeY: 1024,
    maxComputeWorkgroupSizeZ: 64,
    maxComputeWorkgroupsPerDimension: 65535,
    subgroupMinSize: 32,
  },
};

/** Tensors without elements, odd f16 counts, bools, states and constants of every size. */
function awkwardGraph(): Graph {
  const b = new GraphBuilder('awkward');
  const empty = b.input('empty', 'f32', [0, 4]);
  const half = b.input('half', 'f16', [3]);
  const x = b.input('x', 'f32', [5]);
  b.output(b.op('relu', [empty]), 'emptyOut');
  b.output(b.op('exp', [half]), 'halfOut');
  b.output(b.op('greater', [x, b.constant(hostTensor('f32', [], [0]))]), 'positive');
  const count = b.state('count', hostTensor('i32', [1], [0]));
  b.updateState(count, b.op('add', [count, b.constant(hostTensor('i32', [1], [1]))]));
  const odd = b.state('odd', hostTensor('f16', [3], [0, 0, 0]));
  b.updateState(odd, b.op('add', [odd, half]));
  return b.graph;
}

function mlpTrainingStep(): Graph {
  return buildTrainingGraph({ model: mnistMlp(), input: { shape: [784] }, target: { shape: [], dtype: 'i32' }, loss: crossEntropy, optimizer: optim.adam({ lr: 1e-3 }), batchSize: 4 }).graph;
}

/** The rule as the issue states it, written out again here: whole words, at least one, up to the alignment. */
const slot = (bytes: number, align: number) => Math.ceil(Math.max(Math.ceil(bytes / 4) * 4, 4) / align) * align;

const cases: [string, () => Graph][] = [
  ['awkward tensors', awkwardGraph],
  ['an MLP training step', mlpTrainingStep],
  ['a transformer block', () => transformerBlock(8, 16, 2)],
];

describe('one region-size rule', () => {
  for (const [what, make] of cases) {
    for (const align of [256, 32]) {
      it(`${what}, offsets aligned to ${align}: the compiler's regions are what the runtime allocates`, () => {
        const plan: Plan = compile(make(), { limits: { minStorageBufferOffsetAlignment: align } });
        const sizes = checkPlan(plan, CAPS);
        for (const region of REGIONS) {
          const inRegion = plan.tensors.filter((t) => t.region === region);
          // The compiler's region ends where its last slot does...
          const lastSlotEnd = Math.max(0, ...inRegion.map((t) => t.offset + slot(t.bytes as number, align)));
          expect(plan.regionBytes[region], region).toBe(lastSlotEnd);
          for (const t of inRegion) expect(t.offset % align, `${t.name} offset`).toBe(0);
          // ...and the runtime allocates exactly that (a buffer of one word where the region is empty).
          expect(sizes[region], region).toBe(Math.max(4, plan.regionBytes[region]));
        }
        // The artifact's requirement is the largest of those buffers.
        expect(derivePlanRequirements(plan).limits.maxBufferSize).toBe(Math.max(...REGIONS.map((r) => sizes[r])));
      });
    }
  }

  it('the runtime rejects a tensor whose last word lies past its region', () => {
    const plan = compile(awkwardGraph(), { limits: { minStorageBufferOffsetAlignment: 32 } });
    const half = plan.tensors.find((t) => t.name === 'half')!;
    expect(half.bytes).toBe(6);
    // Enough for its 6 bytes, not for the whole words a binding or copy moves.
    const short: Plan = { ...plan, regionBytes: { ...plan.regionBytes, arena: half.offset + 6 }, tensors: plan.tensors.filter((t) => t.region !== 'arena' || t.offset <= half.offset) };
    expect(() => checkPlan(short, CAPS)).toThrowError(ArtifactError);
    expect(() => checkPlan(short, CAPS)).toThrowError(new RegExp(`tensor \\d+ 'half': bytes \\[${half.offset}, ${half.offset + 8}\\) lie outside the arena region \\(${half.offset + 6} bytes\\)`));
  });

  it("the lower bound counts an empty tensor's word as the packer does", () => {
    // Both live at step 0: the arena needs two slots, and no packing can do with fewer.
    const layout = planArena(
      [
        { key: 0, bytes: 0, start: 0, end: 0 },
        { key: 1, bytes: 1000, start: 0, end: 0 },
      ],
      256,
    );
    expect(layout.arenaBytes).toBe(256 + 1024);
    expect(layout.lowerBoundBytes).toBe(256 + 1024);
  });
});
