import type { Dim, DimFact } from './dim_expr.js';
import { mulDims } from './dim_expr.js';
import type { DType, TensorData } from './dtype.js';
import { deviceBytesPerElement } from './dtype.js';
import type { Shape, StaticShape } from './shape.js';
import { numel, shapeNumel } from './shape.js';

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
/** 2: symbolic dims (shapes, bytes, dispatches and kernel sizes as expressions; `symbolic`). */
export const PLAN_VERSION = 2;

export type PlanRegion = 'arena' | 'constants' | 'states';

export interface PlanTensor {
  readonly id: number;
  readonly name: string;
  readonly dtype: DType;
  /** Sizes, or symbolic dims (canonical expressions of the plan's symbols: see ir/dim_expr.ts). */
  readonly shape: Shape;
  /** Bytes of device storage (bool as u32 words): a number, or an expression of the symbols. */
  readonly bytes: Dim;
  readonly region: PlanRegion;
  /**
   * Byte offset inside its region's buffer, aligned to the adapter's storage offset alignment. In
   * a symbolic plan, arena offsets are those of the packing at the representative sizes (for
   * reports): the runtime packs the arena again for each binding of the symbols.
   */
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
  /**
   * u32 size slots the kernel reads from its uniform `sizes` at @group(1) @binding(0) (absent or
   * 0: no uniform). Each step says what goes in them.
   */
  readonly sizeSlots?: number;
}

/** One dispatch: a kernel bound to tensors (binding i ↔ tensors[i]). */
export interface PlanStep {
  readonly kernel: number;
  readonly tensors: readonly number[];
  /** Workgroups per axis: sizes, or expressions of the symbols. */
  readonly dispatch: readonly [Dim, Dim, Dim];
  /** dispatch[0] is a 1-D count the runtime splits into a 2-D grid past the device's per-axis limit. */
  readonly splitGrid?: boolean;
  /** The values of the kernel's size slots for this dispatch (sizes or expressions), one per slot. */
  readonly sizes?: readonly Dim[];
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
  /** Kernels that recompute values to meet a memory budget (present when one was given). */
  readonly recomputedKernels?: number;
}

export interface PlanRequirements {
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
}

/** An arena tensor's storage over the schedule, with its size as an expression. */
export interface PlanLifetime {
  readonly tensor: number;
  readonly bytes: Dim;
  /** Steps, inclusive: -1 before the first, `steps.length` after the last. */
  readonly start: number;
  readonly end: number;
}

/**
 * What a plan with symbolic dims needs beyond the static parts: the symbols with their facts
 * (checked against every binding), and the arena's lifetimes, which the runtime packs (with
 * the compiler's packer, ir/arena_packing.ts) for each binding of the symbols.
 */
export interface PlanSymbols {
  /** Every symbol the plan's sizes mention, with its declared bounds and divisor (empty: none declared). */
  readonly dims: Readonly<Record<string, DimFact>>;
  /** The arena's storage owners: every arena tensor that is not an alias. */
  readonly arena: readonly PlanLifetime[];
  /** Tensors living in another's storage (views, in-place outputs): [tensor, owner]. */
  readonly aliases: readonly (readonly [number, number])[];
  /** The offset alignment the arena is packed at. */
  readonly alignment: number;
  /** The binding the plan's offsets and memory numbers were computed at (for reports). */
  readonly representative: Readonly<Record<string, number>>;
  /** Conditions on the sizes the ops need (a window no larger than its padded input): every binding must meet them. */
  readonly constraints?: readonly PlanConstraint[];
}

/** `dim ≥ min` for every binding, or the binding is refused with `what`. */
export interface PlanConstraint {
  readonly dim: Dim;
  readonly min: number;
  readonly what: string;
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
  /** Present when sizes are symbolic: the plan runs at any binding of these symbols. */
  readonly symbolic?: PlanSymbols;
}

/** A plan tensor with its sizes known (a static plan's, or any plan's once its symbols are bound). */
export interface StaticPlanTensor extends PlanTensor {
  readonly shape: StaticShape;
  readonly bytes: number;
}

export interface StaticPlanStep extends PlanStep {
  readonly dispatch: readonly [number, number, number];
  readonly sizes?: readonly number[];
}

/** A plan whose every size is a number: what the runtime binds and dispatches. */
export interface StaticPlan extends Plan {
  readonly tensors: readonly StaticPlanTensor[];
  readonly steps: readonly StaticPlanStep[];
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

/** `deviceBytes` of a shape that may be symbolic: an expression of its dims. */
export function deviceBytesDim(dtype: DType, shape: Shape): Dim {
  return mulDims(shapeNumel(shape), deviceBytesPerElement(dtype));
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
export function storageEnd(t: { readonly offset: number; readonly bytes: number }): number {
  return t.offset + slotBytes(t.bytes);
}

/** The size of a region's buffer: the plan's `regionBytes` in whole words, at least one (an empty region still has a buffer). */
export function regionBufferBytes(regionBytes: number): number {
  return slotBytes(regionBytes);
}
