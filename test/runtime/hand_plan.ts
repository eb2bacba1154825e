import type { DType, TensorData } from '../../ir/dtype.js';
import { deviceBytesPerElement } from '../../ir/dtype.js';
import type { Plan, PlanConstant, PlanIO, PlanKernel, PlanRegion, PlanStateUpdate, PlanStep, PlanTensor } from '../../ir/plan.js';
import { alignUp, PLAN_FORMAT, PLAN_VERSION, storageEnd } from '../../ir/plan.js';
import { numel } from '../../ir/shape.js';

/** Offsets aligned for any adapter (WebGPU allows minStorageBufferOffsetAlignment up to 256). */
const ALIGN = 256;

/** Builds Plans by hand, the way the compiler would, so runtime tests need no compiler. */
export class HandPlan {
  readonly tensors: PlanTensor[] = [];
  readonly kernels: PlanKernel[] = [];
  readonly steps: PlanStep[] = [];
  readonly inputs: PlanIO[] = [];
  readonly outputs: PlanIO[] = [];
  readonly constants: PlanConstant[] = [];
  readonly states: PlanConstant[] = [];
  readonly stateUpdates: PlanStateUpdate[] = [];
  readonly features: string[] = [];
  readonly limits: Record<string, number> = {};
  readonly #next: Record<PlanRegion, number> = { arena: 0, constants: 0, states: 0 };

  tensor(name: string, dtype: DType, shape: readonly number[], region: PlanRegion = 'arena', offset?: number): number {
    const bytes = numel(shape) * deviceBytesPerElement(dtype);
    const at = offset ?? this.#next[region];
    this.#next[region] = Math.max(this.#next[region], alignUp(storageEnd({ offset: at, bytes }), ALIGN));
    this.tensors.push({ id: this.tensors.length, name, dtype, shape: [...shape], bytes, region, offset: at });
    return this.tensors.length - 1;
  }

  kernel(name: string, wgsl: string, bindingCount: number, workgroupSize: [number, number, number] = [64, 1, 1]): number {
    this.kernels.push({ name, wgsl, entryPoint: 'main', workgroupSize, bindingCount });
    return this.kernels.length - 1;
  }

  step(kernel: number, tensors: number[], dispatch: [number, number, number], label = `step ${this.steps.length}`): this {
    this.steps.push({ kernel, tensors, dispatch, label });
    return this;
  }

  input(name: string, tensor: number): this {
    this.inputs.push({ name, tensor });
    return this;
  }

  output(name: string, tensor: number): this {
    this.outputs.push({ name, tensor });
    return this;
  }

  constant(tensor: number, data?: TensorData): this {
    this.constants.push({ tensor, data });
    return this;
  }

  state(tensor: number, data?: TensorData): this {
    this.states.push({ tensor, data });
    return this;
  }

  update(state: number, from: number): this {
    this.stateUpdates.push({ state, from });
    return this;
  }

  build(name = 'hand'): Plan {
    const regionBytes = { ...this.#next };
    const arenaBytes = regionBytes.arena;
    return {
      format: PLAN_FORMAT,
      version: PLAN_VERSION,
      name,
      tensors: this.tensors,
      kernels: this.kernels,
      steps: this.steps,
      inputs: this.inputs,
      outputs: this.outputs,
      constants: this.constants,
      states: this.states,
      stateUpdates: this.stateUpdates,
      regionBytes,
      memory: { naiveBytes: arenaBytes, arenaBytes, lowerBoundBytes: arenaBytes },
      requirements: { features: this.features, limits: this.limits },
    };
  }
}

/** A 1-D dispatch of `n` invocations in workgroups of `wg`, folded into y past 65535 groups. */
export function grid(n: number, wg = 64): [number, number, number] {
  const groups = Math.ceil(n / wg);
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / Math.max(x, 1)), 1];
}

/** The linear invocation index of a folded 1-D grid, for kernels with workgroup size `wg`. */
const LINEAR = (wg: number): string => `gid.x + gid.y * nwg.x * ${wg}u`;

/** out[i] = a[i] <op> b[i] over `type` elements; works on any grid from `grid()`. */
export function binaryKernel(type: 'f32' | 'i32' | 'u32', op: string, wg = 64): string {
  return `@group(0) @binding(0) var<storage, read_write> a: array<${type}>;
@group(0) @binding(1) var<storage, read_write> b: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = ${LINEAR(wg)};
  if (i < arrayLength(&out)) { out[i] = a[i] ${op} b[i]; }
}
`;
}

/** out[i] = a[i] xor b[i] over bools stored as u32 words. */
export const BOOL_XOR = `@group(0) @binding(0) var<storage, read_write> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i < arrayLength(&out)) { out[i] = select(0u, 1u, (a[i] != 0u) != (b[i] != 0u)); }
}
`;

/** A counter: next[0] = state[0] + 1. */
export const INCREMENT = `@group(0) @binding(0) var<storage, read_write> state: array<f32>;
@group(0) @binding(1) var<storage, read_write> next: array<f32>;
@compute @workgroup_size(1) fn main() {
  next[0] = state[0] + 1.0;
}
`;

/** The plan out = a + b over n f32 elements. */
export function addPlan(n: number, name = 'add'): Plan {
  const p = new HandPlan();
  const a = p.tensor('a', 'f32', [n]);
  const b = p.tensor('b', 'f32', [n]);
  const out = p.tensor('out', 'f32', [n]);
  const k = p.kernel('add_f32', binaryKernel('f32', '+'), 3);
  return p.step(k, [a, b, out], grid(n)).input('a', a).input('b', b).output('out', out).build(name);
}

/** A Float32Array of n values from a seeded generator (no Math.random: failures must replay). */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * scale;
  }
  return out;
}
