import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { DeviceError, Executable, getDefaultDevice, OutOfMemoryError } from '../../runtime/index.js';
import { gpuErrorToDawnflow } from '../../runtime/device.js';
import { addPlan, HandPlan, seeded } from '../runtime/hand_plan.js';
import { thrown } from '../helpers/errors.js';
import { failAllocationsAbove } from '../helpers/failing_allocations.js';

/**
 * GPU faults surface as typed errors that name the plan and the kernel or step: at compile time
 * (a plan that cannot fit the device's limits), at load (Dawn's validation, per step) and at
 * run time (each submission's error scopes, and errors the device raises while a run is in
 * flight).
 */

/** Loads with every buffer the device creates meanwhile recorded, so a test can break one. */
async function loadRecordingBuffers(dev: DawnDevice, plan: Parameters<typeof Executable.load>[0]): Promise<{ exe: Executable; buffers: GPUBuffer[] }> {
  const buffers: GPUBuffer[] = [];
  const gpu = dev.device as GPUDevice & { createBuffer: GPUDevice['createBuffer'] };
  const original = gpu.createBuffer;
  gpu.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
    const buffer = original.call(this, descriptor);
    buffers.push(buffer);
    return buffer;
  };
  try {
    return { exe: await Executable.load(plan, dev), buffers };
  } finally {
    gpu.createBuffer = original;
  }
}

describe('compile time: plans that cannot fit the device are refused with the numbers', () => {
  it('refuses a tensor above maxStorageBufferBindingSize, before anything is allocated', async () => {
    const dev = await getDefaultDevice();
    const limit = dev.limits.maxStorageBufferBindingSize;
    const b = new GraphBuilder('too_wide');
    const elements = limit / 4 + 1;
    const x = b.input('x', 'f32', [elements]);
    b.output(b.op('relu', [x]), 'y');
    const heap = process.memoryUsage().arrayBuffers;
    const error = await thrown(() => compile(b.graph, { limits: dev.limits }));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error.message).toContain(`${elements * 4} bytes exceed the device's maxStorageBufferBindingSize ${limit}`);
    expect(error.message).toMatch(/^(x|relu_0)/);
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(16 << 20);
  });

  it('refuses absurd dims (2^20 x 2^20 floats) with the numbers, allocating nothing', async () => {
    const dev = await getDefaultDevice();
    const b = new GraphBuilder('absurd');
    const x = b.input('x', 'f32', [2 ** 20, 2 ** 20]);
    b.output(b.op('neg', [x]), 'y');
    const heap = process.memoryUsage().arrayBuffers;
    const error = await thrown(() => compile(b.graph, { limits: dev.limits }));
    // Codegen meets the dispatch size first (2^40 invocations), the memory planner the bytes.
    expect(error.constructor.name).toMatch(/^(ShapeError|OutOfMemoryError)$/);
    const numbers = (error.message.match(/\d+/g) ?? []).map(Number);
    expect(Math.max(...numbers)).toBeGreaterThanOrEqual(2 ** 40 / 64);
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(16 << 20);
  });

  it('refuses an arena above maxBufferSize even when every tensor fits a binding', async () => {
    const dev = await getDefaultDevice();
    const maxBuffer = dev.limits.maxBufferSize;
    // Outputs stay live to the end, so the arena must hold them all at once.
    const elements = Math.floor(dev.limits.maxStorageBufferBindingSize / 4);
    const count = Math.ceil(maxBuffer / (elements * 4)) + 1;
    const b = new GraphBuilder('too_many');
    const x = b.input('x', 'f32', [elements]);
    for (let i = 0; i < count; i++) b.output(b.op('add', [x, b.constant(hostTensor('f32', [1], [i]))]), `y${i}`);
    const error = await thrown(() => compile(b.graph, { limits: dev.limits }));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error.message).toMatch(new RegExp(`the arena needs (\\d+) bytes, more than the device's maxBufferSize ${maxBuffer}`));
    expect(Number(/needs (\d+) bytes/.exec(error.message)![1])).toBeGreaterThan(maxBuffer);
  });

  it('takes limits below the defaults too (a small device)', () => {
    const b = new GraphBuilder('small_device');
    const x = b.input('x', 'f32', [512]);
    b.output(b.op('exp', [x]), 'y');
    const error = (() => {
      try {
        compile(b.graph, { limits: { maxStorageBufferBindingSize: 1024, maxBufferSize: 4096 } });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a throw');
    })();
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error.message).toContain("2048 bytes exceed the device's maxStorageBufferBindingSize 1024");
  });
});

describe('load: Dawn validation names the step and kernel', () => {
  it('names the step whose binding is smaller than its kernel declares', async () => {
    const p = new HandPlan();
    const small = p.tensor('small', 'f32', [4]);
    const wgsl = `@group(0) @binding(0) var<storage, read_write> v: array<vec4f, 4>;
@compute @workgroup_size(1) fn main() { v[0] = vec4f(1.0); }`;
    p.step(p.kernel('wants_64_bytes', wgsl, 1, [1, 1, 1]), [small], [1, 1, 1], "fill 'small'").output('small', small);
    const dev = await getDefaultDevice();
    const before = dev.allocatedBytes;
    const error = await thrown(() => Executable.load(p.build('min_size'), dev));
    expect(error).toBeInstanceOf(DeviceError);
    expect(error.message).toMatch(/^plan 'min_size', step 0 'fill 'small'' \(kernel 0 'wants_64_bytes'\): .*too small.*at least 64 bytes/);
    // Nothing stays allocated after a failed load.
    expect(dev.allocatedBytes).toBe(before);
  });
});

describe('load: allocation failures', () => {
  it('reports regions the device cannot allocate as OutOfMemoryError naming the plan, with nothing left allocated', async () => {
    const dev = await getDefaultDevice();
    const plan = addPlan(1 << 16, 'no_room');
    const before = dev.allocatedBytes;
    const restore = failAllocationsAbove(dev, plan.regionBytes.arena / 2);
    let error: Error;
    try {
      error = await thrown(() => Executable.load(plan, dev));
    } finally {
      restore();
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error.message).toMatch(/^plan 'no_room': allocating \d+ bytes of regions failed: Out of memory: /);
    expect(dev.allocatedBytes).toBe(before);
  });
});

describe('run: each submission is checked by error scopes', () => {
  it('reports a submission Dawn rejects as a DeviceError naming the plan and the buffer, and keeps other runs apart', async () => {
    const dev = await getDefaultDevice();
    const { exe: broken, buffers } = await loadRecordingBuffers(dev, addPlan(64, 'broken'));
    const healthy = await Executable.load(addPlan(64, 'healthy'), dev);
    const a = seeded(64, 1);
    const b = seeded(64, 2);
    await broken.run({ a, b });
    buffers.find((buffer) => buffer.label === 'broken arena')!.destroy();
    const error = await thrown(() => broken.run({ a, b }));
    expect(error).toBeInstanceOf(DeviceError);
    expect(error.message).toMatch(/^plan 'broken': \[Buffer "broken arena"\] used in submit while destroyed/);
    // The other executable's runs submitted afterwards are not blamed.
    const ok = await healthy.run({ a, b });
    expect(ok.out.data[5]).toBe(Math.fround(a[5] + b[5]));
    broken.dispose();
    healthy.dispose();
  });

  it('reports an out-of-memory error the device raises while a run is in flight as OutOfMemoryError', async () => {
    const dev = await getDefaultDevice();
    const exe = await Executable.load(addPlan(64, 'victim'), dev);
    const a = seeded(64, 1);
    await exe.run({ a, b: a });
    const handle = exe.dispatch({ a, b: a });
    // What Dawn delivers when an allocation fails outside any scope (GPUOutOfMemoryError).
    dev.device.dispatchEvent(new GPUUncapturedErrorEvent('uncapturederror', { error: new GPUOutOfMemoryError('Out of memory: allocating the [Buffer "victim readback"] failed') }));
    const error = await thrown(() => handle.read());
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error.message).toBe(`plan 'victim': the device reported an error while this run was in flight: Out of memory: allocating the [Buffer "victim readback"] failed`);
    // The next run is clean again.
    expect((await exe.run({ a, b: a })).out.data[0]).toBe(Math.fround(2 * a[0]));
    exe.dispose();
  });

  it('maps GPU errors to typed errors, naming the step from the bind group label Dawn quotes', () => {
    const validation = {
      kind: 'validation' as const,
      message: 'Binding size too small.\n - While encoding [ComputePassEncoder].DispatchWorkgroups(1, 1, 1).\n - While validating [BindGroup "m step 3 \'relu r\' (kernel 1 \'k\')"]',
    };
    const e1 = gpuErrorToDawnflow("plan 'm'", validation);
    expect(e1).toBeInstanceOf(DeviceError);
    expect(e1.message).toBe(`plan 'm': Binding size too small. (in BindGroup "m step 3 'relu r' (kernel 1 'k')")`);
    const e2 = gpuErrorToDawnflow("plan 'm'", { kind: 'out-of-memory', message: 'Allocation failed.\n - While calling [Device "dawnflow"].CreateBuffer([BufferDescriptor ""m readback""]).' });
    expect(e2).toBeInstanceOf(OutOfMemoryError);
    expect(e2.message).toBe(`plan 'm': Allocation failed. (in BufferDescriptor "m readback")`);
  });
});
