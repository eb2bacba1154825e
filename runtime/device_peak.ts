import type { Plan, PlanConstant, PlanIO, PlanKernel, PlanStep, StaticPlanTensor } from '../ir/plan.js';
import { PLAN_FORMAT, PLAN_VERSION } from '../ir/plan.js';
import type { DawnDevice } from './device.js';
import { Executable } from './executable.js';

/**
 * The device's f32 FMA peak, measured with raw WGSL run through the runtime (a hand-made Plan:
 * the runtime's submit and its scheduled, non-spinning waits are what every compiled plan gets
 * too). Profiles and the benchmark state each kernel's GFLOP/s as a share of it.
 */

/** Big workgroups suit lavapipe (each invocation is a SIMD lane); 256 fits every adapter's default limit. */
const WORKGROUP = 256;
/**
 * Independent scalar FMA chains per invocation: enough to hide the FMA latency. Scalars, not
 * vec4: lavapipe already spreads invocations over SIMD lanes, and 8 vec4 chains (32 vector
 * registers) spill on AVX2, measured 2-3x slower than 16 scalar chains.
 */
const CHAINS = 16;
/**
 * Rounds of the chains per loop trip: a loop trip on lavapipe also updates and tests its
 * execution mask, which with a single round costs about half the FMA rate (measured 75 vs 160+
 * GFLOP/s); four rounds make the loop's own work negligible.
 */
const ROUNDS = 4;

/** A plan of one kernel dispatched by `steps`, its tensors laid out as given. */
export function singleKernelPlan(name: string, tensors: StaticPlanTensor[], kernel: PlanKernel, steps: PlanStep[], constants: PlanConstant[], outputs: PlanIO[]): Plan {
  const regionBytes = { arena: 0, constants: 0, states: 0 };
  for (const t of tensors) regionBytes[t.region] = Math.max(regionBytes[t.region], t.offset + t.bytes);
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    name,
    tensors,
    kernels: [kernel],
    steps,
    inputs: [],
    outputs,
    constants,
    states: [],
    stateUpdates: [],
    regionBytes,
    memory: { naiveBytes: regionBytes.arena, arenaBytes: regionBytes.arena, lowerBoundBytes: regionBytes.arena },
    requirements: { features: [], limits: {} },
  };
}

/** Flops of one run of `fmaPeakPlan` (an FMA is two). */
export function fmaFlopsPerRun(invocations: number, iterations: number, repeats: number): number {
  return Math.ceil(invocations / WORKGROUP) * WORKGROUP * iterations * ROUNDS * CHAINS * 2 * repeats;
}

/**
 * f32 FMA throughput: `invocations` lanes each run `iterations` × ROUNDS rounds of CHAINS
 * independent FMAs on values the compiler cannot fold, then write their sum (so nothing is dead
 * code); `repeats` dispatches per run.
 */
export function fmaPeakPlan(invocations: number, iterations: number, repeats: number): Plan {
  const groups = Math.ceil(invocations / WORKGROUP);
  const lanes = groups * WORKGROUP;
  const chains = Array.from({ length: CHAINS }, (_, c) => c);
  const wgsl = `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let seed = f32(gid.x) * 1.0e-7f;
  let m = 0.9999f + seed * 1.0e-3f;
  let s = 1.0e-4f - seed * 1.0e-3f;
${chains.map((c) => `  var a${c} = seed + ${c}.0f;`).join('\n')}
  for (var k = 0u; k < ${iterations}u; k++) {
${Array.from({ length: ROUNDS }, () => chains.map((c) => `    a${c} = fma(a${c}, m, s);`).join('\n')).join('\n')}
  }
  out[gid.x] = ${chains.map((c) => `a${c}`).join(' + ')};
}
`;
  const tensors: StaticPlanTensor[] = [{ id: 0, name: 'lanes', dtype: 'f32', shape: [lanes], bytes: lanes * 4, region: 'arena', offset: 0 }];
  const kernel: PlanKernel = { name: 'fma_peak', wgsl, entryPoint: 'main', workgroupSize: [WORKGROUP, 1, 1], bindingCount: 1 };
  const steps = Array.from({ length: repeats }, (): PlanStep => ({ kernel: 0, tensors: [0], dispatch: [groups, 1, 1], label: 'fma' }));
  return singleKernelPlan('fma_peak', tensors, kernel, steps, [], [{ name: 'lanes', tensor: 0 }]);
}

/** The measured peak and how it was timed. */
export interface FmaPeak {
  readonly gflops: number;
  /** 'device': timestamp queries (as profiles time kernels); 'wall': host time of whole runs. */
  readonly timing: 'device' | 'wall';
}

/**
 * Measures the f32 FMA peak: the median of `runs` runs of a short FMA plan (~0.5 GFLOP), timed
 * the way profiles time kernels (timestamp queries where the adapter has them).
 */
export async function measureFmaPeak(device: DawnDevice, runs = 5): Promise<FmaPeak> {
  const invocations = 65536;
  const iterations = 128;
  const exe = await Executable.load(fmaPeakPlan(invocations, iterations, 1), device);
  try {
    const flops = fmaFlopsPerRun(invocations, iterations, 1);
    await exe.run({}, { outputs: [] });
    if (device.features.has('timestamp-query')) {
      const [step] = await exe.profile({}, runs);
      return { gflops: flops / (step.ms * 1e6), timing: 'device' };
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await exe.run({}, { outputs: [] });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { gflops: flops / (times[times.length >> 1] * 1e6), timing: 'wall' };
  } finally {
    exe.dispose();
  }
}
