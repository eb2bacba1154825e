import type { DType, TensorData } from './dtype.js';
import { deviceBytesPerElement } from './dtype.js';
import type { StaticShape } from './shape.js';
import { numel } from './shape.js';

/**
 * A Plan is everything the runtime needs to execute a compiled graph, as plain data: no
 * closures, no references into the compiler. It serializes to JSON (weights apart) and is what
 * an ahead-of-time artifact stores.
 *
 * Memory: all intermediates, inputs and outputs live in one arena buffer at planned offsets;
 * constants (weights) in one read-only buffer; states (parameters, optimizer state) in one
 * persistent buffer. Every binding is (buffer, offset, size) of one tensor.
 */
export const PLAN_FORMAT = 'dawnflow-plan';
export const PLAN_VERSION = 1;

export type PlanRegion = 'arena' | 'constants' | 'states';

export interface PlanTensor {
  readonly id: number;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: StaticShape;
  /** Bytes of device storage (bool as u32 words). */
  readonly bytes: number;
  readonly region: PlanRegion;
  /** Byte offset inside its region's buffer, aligned to the adapter's storage offset alignment. */
  readonly offset: number;
}

/** One compute pipeline. Steps refer to kernels by index; identical sources share a kernel. */
export interface PlanKernel {
  readonly name: string;
  readonly wgsl: string;
  readonly entryPoint: string;
  readonly workgroupSize: readonly [number, number, number];
  /** Number of storage bindings in @group(0), bindings 0..n-1 in order. */
  readonly bindingCount: number;
}

/** One dispatch: a kernel bound to tensors (binding i ↔ tensors[i]). */
export interface PlanStep {
  readonly kernel: number;
  readonly tensors: readonly number[];
  readonly dispatch: readonly [number, number, number];
  /** The IR nodes this dispatch computes, for profiles and error messages. */
  readonly label: string;
  /**
   * Floating-point operations of the step's contraction (two per multiply-add), where it has one
   * and its sizes are static: profiles report GFLOP/s and the share of the device's peak.
   */
  readonly flops?: number;
}

export interface PlanIO {
  readonly name: string;
  readonly tensor: number;
}

export interface PlanConstant {
  readonly tensor: number;
  /** Host data; stripped when serialized (weights go to safetensors by tensor name). */
  data?: TensorData;
}

export interface PlanStateUpdate {
  /** The state tensor overwritten at the end of a run... */
  readonly state: number;
  /** ...with this tensor's value (same dtype and shape). */
  readonly from: number;
}

export interface PlanMemory {
  /** Every intermediate in its own buffer. */
  readonly naiveBytes: number;
  /** The arena actually allocated. */
  readonly arenaBytes: number;
  /** The max over schedule steps of bytes live at once: no packing can do better. */
  readonly lowerBoundBytes: number;
}

export interface PlanRequirements {
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
}

export interface Plan {
  readonly format: typeof PLAN_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly tensors: readonly PlanTensor[];
  readonly kernels: readonly PlanKernel[];
  readonly steps: readonly PlanStep[];
  readonly inputs: readonly PlanIO[];
  readonly outputs: readonly PlanIO[];
  readonly constants: readonly PlanConstant[];
  /** States with their initial values (data stripped when serialized). */
  readonly states: readonly PlanConstant[];
  readonly stateUpdates: readonly PlanStateUpdate[];
  readonly regionBytes: Readonly<Record<PlanRegion, number>>;
  readonly memory: PlanMemory;
  readonly requirements: PlanRequirements;
}

/**
 * Region sizes: one rule for the compiler, which lays tensors out in regions, and the runtime,
 * which checks those layouts and allocates the regions' buffers.
 *
 * Storage moves in whole 4-byte words (bindings, copies and buffer sizes are multiples of 4), so
 * a tensor takes its bytes rounded up to whole words, and at least one word: a tensor without
 * elements still gets an address of its own. Where tensors are packed at an offset alignment, the
 * next one can start only at the next multiple of it, so a tensor's slot is rounded up to that.
 */
export const WORD_BYTES = 4;

/** Bytes of device storage a tensor holds (bool as u32 words): `PlanTensor.bytes`. */
export function deviceBytes(dtype: DType, shape: StaticShape): number {
  return numel(shape) * deviceBytesPerElement(dtype);
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Bytes a tensor of `tensorBytes` takes in its region, its offset aligned to `alignment`. */
export function slotBytes(tensorBytes: number, alignment = WORD_BYTES): number {
  return alignUp(Math.max(WORD_BYTES, alignUp(tensorBytes, WORD_BYTES)), alignment);
}

/**
 * The end of a tensor's storage in its region. A plan is sound when every tensor ends within its
 * region's `regionBytes`; the compiler's regions end where their last slot does, which is never less.
 */
export function storageEnd(t: Pick<PlanTensor, 'offset' | 'bytes'>): number {
  return t.offset + slotBytes(t.bytes);
}

/** The size of a region's buffer: the plan's `regionBytes` in whole words, at least one (an empty region still has a buffer). */
export function regionBufferBytes(regionBytes: number): number {
  return slotBytes(regionBytes);
}
