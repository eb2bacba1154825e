import { InputError, UsageError } from '../ir/errors.js';
import type { StaticPlan, StaticPlanTensor } from '../ir/plan.js';
import type { DawnDevice } from './device.js';
import { DeviceTensor } from './device_tensor.js';
import { formatTensorType, roundUp4, type RunInput } from './host_data.js';
import type { RegionBuffers } from './program.js';

/**
 * Runs that read inputs from device tensors and leave outputs in them: both are GPU copies
 * recorded in the run's own command buffer (inputs before the compute pass, outputs after it),
 * so a device tensor may be a run's input and its `into` target at once.
 */

/** What a run accepts for one input: host data, or a device tensor on the run's device. */
export type RunFeed = RunInput | DeviceTensor;

/** One GPU copy between a device tensor and a plan tensor. */
export interface DeviceCopy {
  /** The plan's input or output name. */
  readonly name: string;
  readonly tensor: StaticPlanTensor;
  readonly device: DeviceTensor;
}

/** The inputs given as device tensors, checked against the plan: same device, dtype and shape. */
export function deviceFeeds(plan: StaticPlan, inputs: Readonly<Record<string, RunFeed>>, device: DawnDevice): DeviceCopy[] {
  const copies: DeviceCopy[] = [];
  for (const io of plan.inputs) {
    const value = inputs[io.name];
    if (!(value instanceof DeviceTensor)) continue;
    const tensor = plan.tensors[io.tensor];
    const where = `plan '${plan.name}', input '${io.name}'`;
    value.assertUsableOn(device, where);
    if (value.dtype !== tensor.dtype || value.shape.length !== tensor.shape.length || value.shape.some((d, i) => d !== tensor.shape[i])) {
      throw new InputError(`${where}: expected ${formatTensorType(tensor)}, got ${value}`);
    }
    copies.push({ name: io.name, tensor, device: value });
  }
  return copies;
}

/** Outputs to leave in device tensors (`RunOptions.into`), checked: known outputs, same device and dtype, room enough. */
export function deviceTargets(plan: StaticPlan, into: Readonly<Record<string, DeviceTensor>> | undefined, device: DawnDevice): DeviceCopy[] {
  if (!into) return [];
  return Object.entries(into).map(([name, target]) => {
    const io = plan.outputs.find((o) => o.name === name);
    if (!io) throw new UsageError(`plan '${plan.name}': no output '${name}' to leave on the device (outputs: ${plan.outputs.map((o) => o.name).join(', ')})`);
    const tensor = plan.tensors[io.tensor];
    const where = `plan '${plan.name}', output '${name}'`;
    target.assertUsableOn(device, where);
    if (target.dtype !== tensor.dtype) throw new InputError(`${where}: ${formatTensorType(tensor)} cannot go into ${target}`);
    if (tensor.bytes > target.capacity) throw new InputError(`${where}: ${formatTensorType(tensor)} (${tensor.bytes} bytes) does not fit ${target} (capacity ${target.capacity} bytes)`);
    return { name, tensor, device: target };
  });
}

/** Records the copies from device tensors into the plan's input tensors. */
export function encodeFeeds(encoder: GPUCommandEncoder, regions: RegionBuffers, feeds: readonly DeviceCopy[]): void {
  for (const { tensor, device } of feeds) {
    if (tensor.bytes > 0) encoder.copyBufferToBuffer(device.buffer, 0, regions[tensor.region], tensor.offset, roundUp4(tensor.bytes));
  }
}

/** Records the copies from the plan's output tensors into device tensors, which take the outputs' shapes. */
export function encodeTargets(encoder: GPUCommandEncoder, regions: RegionBuffers, targets: readonly DeviceCopy[], where: string): void {
  for (const { tensor, device } of targets) {
    device.holdShape(tensor.shape, where);
    if (tensor.bytes > 0) encoder.copyBufferToBuffer(regions[tensor.region], tensor.offset, device.buffer, 0, roundUp4(tensor.bytes));
  }
}
