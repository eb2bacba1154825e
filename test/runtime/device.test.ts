import { describe, expect, it } from 'vitest';
import { getDefaultDevice } from '../../runtime/index.js';

// No skipIf anywhere: without an adapter getDefaultDevice() throws and these tests fail, which
// is what CI=true demands.
describe('device', () => {
  it('acquires the adapter with its real limits and prints it once', async () => {
    const dev = await getDefaultDevice();
    console.log(`WebGPU adapter: ${dev.adapterDescription}`);
    expect(dev.adapterDescription).not.toBe('');
    expect(await getDefaultDevice()).toBe(dev);
    // The device got what it asked for, not WebGPU's defaults.
    const l = dev.limits;
    for (const name of ['maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupsPerDimension']) {
      expect(l[name], name).toBe(dev.device.limits[name as keyof GPUSupportedLimits]);
    }
    expect(l.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
    expect(l.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
    expect(dev.lostInfo).toBeUndefined();
    expect(dev.errorCount).toBe(0);
    for (const f of dev.features) expect(dev.device.features.has(f)).toBe(true);
  });

  it('accepts disjoint read_write ranges of one buffer in a dispatch and rejects overlapping ones', async () => {
    const { device } = await getDefaultDevice();
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read_write> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> b: array<u32>;
@compute @workgroup_size(1) fn main() { b[0] = a[0] + 1u; }`,
    });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const buffer = device.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, new Uint32Array([41]));

    const dispatch = async (bOffset: number, aSize: number): Promise<GPUError | null> => {
      device.pushErrorScope('validation');
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer, offset: 0, size: aSize } },
          { binding: 1, resource: { buffer, offset: bOffset, size: 256 } },
        ],
      });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([encoder.finish()]);
      return device.popErrorScope();
    };

    expect(await dispatch(256, 256)).toBeNull();
    const read = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 256, read, 0, 4);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    expect(new Uint32Array(read.getMappedRange())[0]).toBe(42);
    read.unmap();

    // Overlap by a single word is already "writable storage buffer binding aliasing".
    const overlap = await dispatch(256, 260);
    expect(overlap?.message).toMatch(/aliasing/i);
    const same = await dispatch(0, 256);
    expect(same?.message).toMatch(/aliasing/i);
    buffer.destroy();
    read.destroy();
  });
});
