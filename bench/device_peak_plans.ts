import type { Plan, PlanKernel, PlanStep, PlanTensor } from '../runtime/index.js';
import { PLAN_FORMAT, PLAN_VERSION } from '../runtime/index.js';

/**
 * The device's own limits, measured with raw WGSL run through dawnflow's runtime (hand-made
 * Plans: the runtime's submit and its scheduled, non-spinning waits are what every compiled
 * plan gets too). Matmul throughput is reported as a share of the FMA figure measured here in
 * the same run.
 */

export interface PeakPlan {
  readonly plan: Plan;
  /** Work done by one run: flops for the FMA plan, bytes read + written for bandwidth. */
  readonly workPerRun: number;
}

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

function planOf(name: string, tensors: PlanTensor[], kernel: PlanKernel, steps: PlanStep[], constants: Plan['constants'], outputs: Plan['outputs']): Plan {
  const regionBytes = { arena: 0, constants: 0, states: 0 };
  for (const t of tensors) regionBytes[t.region] = Math.max(regionBytes[t.region], t.offset + (t.bytes as number));
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

/** Bytes read plus written by one run of `bandwidthPlan`. */
export function bandwidthBytesPerRun(bytes: number, repeats: number): number {
  return 2 * Math.floor(bytes / 16) * 16 * repeats;
}

/**
 * f32 FMA throughput: `invocations` lanes each run `iterations` × ROUNDS rounds of CHAINS independent
 * FMAs on values the compiler cannot fold, then write their sum (so nothing is dead code).
 */
export function fmaPeakPlan(invocations: number, iterations: number, repeats: number): PeakPlan {
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
  const tensors: PlanTensor[] = [{ id: 0, name: 'lanes', dtype: 'f32', shape: [lanes], bytes: lanes * 4, region: 'arena', offset: 0 }];
  const kernel: PlanKernel = { name: 'fma_peak', wgsl, entryPoint: 'main', workgroupSize: [WORKGROUP, 1, 1], bindingCount: 1 };
  const steps = Array.from({ length: repeats }, (): PlanStep => ({ kernel: 0, tensors: [0], dispatch: [groups, 1, 1], label: 'fma' }));
  return { plan: planOf('fma_peak', tensors, kernel, steps, [], [{ name: 'lanes', tensor: 0 }]), workPerRun: fmaFlopsPerRun(invocations, iterations, repeats) };
}

/** Kernel bandwidth: a vec4 copy of `bytes` from the constants region into the arena. */
export function bandwidthPlan(bytes: number, repeats: number): PeakPlan {
  const vectors = Math.floor(bytes / 16);
  const size = vectors * 16;
  const groups = Math.ceil(vectors / WORKGROUP);
  // Two dims of workgroups keep each within maxComputeWorkgroupsPerDimension.
  const gx = Math.min(groups, 32768);
  const gy = Math.ceil(groups / gx);
  const wgsl = `
@group(0) @binding(0) var<storage, read_write> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ${gx * WORKGROUP}u;
  if (i < ${vectors}u) {
    dst[i] = src[i];
  }
}
`;
  const tensors: PlanTensor[] = [
    { id: 0, name: 'src', dtype: 'f32', shape: [vectors * 4], bytes: size, region: 'constants', offset: 0 },
    { id: 1, name: 'dst', dtype: 'f32', shape: [vectors * 4], bytes: size, region: 'arena', offset: 0 },
  ];
  const data = new Float32Array(vectors * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 1024;
  const kernel: PlanKernel = { name: 'copy', wgsl, entryPoint: 'main', workgroupSize: [WORKGROUP, 1, 1], bindingCount: 2 };
  const steps = Array.from({ length: repeats }, (): PlanStep => ({ kernel: 0, tensors: [0, 1], dispatch: [gx, gy, 1], label: 'copy' }));
  return { plan: planOf('bandwidth', tensors, kernel, steps, [{ tensor: 0, data }], [{ name: 'dst', tensor: 1 }]), workPerRun: bandwidthBytesPerRun(bytes, repeats) };
}
