import type { Plan, PlanKernel, PlanStep, StaticPlanTensor } from '../runtime/index.js';
import { fmaFlopsPerRun, fmaPeakPlan, singleKernelPlan } from '../runtime/device_peak.js';

export { fmaFlopsPerRun };

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

/** Bytes read plus written by one run of `bandwidthPlan`. */
export function bandwidthBytesPerRun(bytes: number, repeats: number): number {
  return 2 * Math.floor(bytes / 16) * 16 * repeats;
}

/** f32 FMA throughput (runtime/device_peak.ts): the plan profiles measure the peak with too. */
export function fmaPeakPlanOf(invocations: number, iterations: number, repeats: number): PeakPlan {
  return { plan: fmaPeakPlan(invocations, iterations, repeats), workPerRun: fmaFlopsPerRun(invocations, iterations, repeats) };
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
  const tensors: StaticPlanTensor[] = [
    { id: 0, name: 'src', dtype: 'f32', shape: [vectors * 4], bytes: size, region: 'constants', offset: 0 },
    { id: 1, name: 'dst', dtype: 'f32', shape: [vectors * 4], bytes: size, region: 'arena', offset: 0 },
  ];
  const data = new Float32Array(vectors * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 1024;
  const kernel: PlanKernel = { name: 'copy', wgsl, entryPoint: 'main', workgroupSize: [WORKGROUP, 1, 1], bindingCount: 2 };
  const steps = Array.from({ length: repeats }, (): PlanStep => ({ kernel: 0, tensors: [0, 1], dispatch: [gx, gy, 1], label: 'copy' }));
  return { plan: singleKernelPlan('bandwidth', tensors, kernel, steps, [{ tensor: 0, data }], [{ name: 'dst', tensor: 1 }]), workPerRun: bandwidthBytesPerRun(bytes, repeats) };
}
