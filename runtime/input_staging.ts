import type { StaticPlanTensor } from '../ir/plan.js';
import type { RegionBuffers } from './program.js';
import { roundUp4 } from './host_data.js';
import type { UploadLease } from './run_handle.js';
import type { UploadPool } from './upload_pool.js';

/**
 * How a run's inputs reach the GPU. Small ones go through `queue.writeBuffer`; past a few
 * hundred KiB that reallocates Dawn's staging memory (see upload_pool.ts), so large ones are
 * copied into a mapped buffer of the upload pool and from there to their tensors on the GPU.
 */

/** Inputs this large go through a mapped staging buffer of the upload pool rather than `writeBuffer`. */
const STAGED_UPLOAD_BYTES = 256 * 1024;

/** One input of a run: its tensor, and its bytes as checked against the plan. */
export interface InputUpload {
  readonly tensor: StaticPlanTensor;
  readonly data: ArrayBufferView<ArrayBuffer>;
}

/** Where inputs go: the device's queue, the plan's region buffers, and the pool of upload buffers. */
export interface StagingTarget {
  readonly queue: GPUQueue;
  readonly regions: RegionBuffers;
  readonly uploads: UploadPool;
}

/**
 * Puts a run's inputs on the GPU: small ones with `writeBuffer`, large ones copied into a mapped
 * buffer of the upload pool and from there to their tensors, first thing in `encoder`. Returns
 * the upload buffer the run holds until it is done, if it took one.
 */
export function stageInputs(target: StagingTarget, uploads: readonly InputUpload[], encoder: GPUCommandEncoder): UploadLease | undefined {
  const { queue, regions } = target;
  const total = uploads.reduce((sum, u) => sum + roundUp4(u.data.byteLength), 0);
  if (total < STAGED_UPLOAD_BYTES) {
    for (const { tensor, data } of uploads) if (data.byteLength > 0) queue.writeBuffer(regions[tensor.region], tensor.offset, data);
    return undefined;
  }
  const buffer = target.uploads.take(total);
  const mapped = new Uint8Array(buffer.getMappedRange());
  let offset = 0;
  for (const { data } of uploads) {
    mapped.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    offset += roundUp4(data.byteLength);
  }
  buffer.unmap();
  offset = 0;
  for (const { tensor, data } of uploads) {
    if (data.byteLength > 0) encoder.copyBufferToBuffer(buffer, offset, regions[tensor.region], tensor.offset, roundUp4(data.byteLength));
    offset += roundUp4(data.byteLength);
  }
  return { pool: target.uploads, buffer };
}
