import { deviceBytesPerElement, numel, OutOfMemoryError, UsageError } from '../../ir/index.js';
import type { DataParallelProgram, GradientBucket } from '../../ir/parallel_program.js';
import { DATA_PARALLEL_FORMAT, PARALLEL_PROGRAM_VERSION } from '../../ir/parallel_program.js';
import type { PhasedPlan } from '../../ir/phased_plan.js';
import { STEP_STATE } from '../dsl/trace.js';
import type { TrainingSpec } from '../train/compile_training.js';
import { buildEvalGraph } from '../train/compile_training.js';
import { compilePhases, lastStepTouching, phaseOf } from './phased.js';
import { applyGraph, gradientGraph, gradientName, INPUT, prepareModel, TARGET } from './training_graphs.js';

export interface DataParallelOptions {
  readonly devices: number;
  /** Bytes per all-reduce bucket as sent, 4 per gradient element (default 256 KiB); a larger gradient gets a bucket of its own. */
  readonly bucketBytes?: number;
  /** Bytes one device may hold; a program that needs more is refused with the numbers. */
  readonly deviceMemory?: number;
}

export const DEFAULT_BUCKET_BYTES = 256 * 1024;
/** Bytes per element of an all-reduced bucket: the communicator reduces f32. */
const F32_BYTES = deviceBytesPerElement('f32');

/** The slice of a global batch each of `devices` ranks takes, or a UsageError naming both numbers. */
export function splitBatch(globalBatch: number, parts: number, what: string): number {
  if (!Number.isInteger(parts) || parts < 1) throw new UsageError(`${what}: ${parts} must be a whole number >= 1`);
  if (globalBatch % parts !== 0) {
    throw new UsageError(`${what}: the global batch of ${globalBatch} examples does not split evenly over ${parts}; choose a batch that ${parts} divides (e.g. ${Math.max(parts, Math.round(globalBatch / parts) * parts)})`);
  }
  return globalBatch / parts;
}

/**
 * Data parallelism: every rank runs the step on `batchSize / devices` examples. The step is
 * compiled as two phases sharing the parameters — 'grads' (forward, loss, backward: every
 * gradient an output) and 'apply' (the optimizer on all-reduced gradients) — so that the
 * runtime can copy each bucket of gradients out as soon as the step that writes its last one
 * has run, and all-reduce it while the rest of the backward pass runs.
 */
export function compileDataParallel(spec: TrainingSpec, options: DataParallelOptions): DataParallelProgram {
  const devices = options.devices;
  const localBatch = splitBatch(spec.batchSize, devices, `data parallelism over ${devices} devices`);
  prepareModel(spec);
  const bucketBytes = options.bucketBytes ?? DEFAULT_BUCKET_BYTES;
  if (!(bucketBytes > 0)) throw new UsageError(`bucketBytes must be positive, got ${bucketBytes}`);
  const grads = gradientGraph(spec, localBatch);
  const apply = applyGraph(spec, grads.parameters, { inputs: true });
  const evalBatchSize = spec.evalBatchSize ?? spec.batchSize;
  const evaluation = buildEvalGraph({ ...spec, evalBatchSize });
  evaluation.name = 'eval';
  const compileOptions = { ...(spec.limits ? { limits: spec.limits } : {}), memorySchedule: false };
  const phased = compilePhases('data_parallel_step', [grads.graph, apply.graph, evaluation], compileOptions);
  checkDeviceMemory(phased, options.deviceMemory, 'data parallelism: each device');

  const named = spec.model.parameters();
  const states = new Set(phased.plan.states.map((s) => phased.plan.tensors[s.tensor].name));
  return {
    format: DATA_PARALLEL_FORMAT,
    version: PARALLEL_PROGRAM_VERSION,
    devices,
    globalBatch: spec.batchSize,
    localBatch,
    evalBatchSize,
    input: { name: INPUT, dtype: spec.input.dtype ?? 'f32', exampleShape: [...spec.input.shape] },
    target: { name: TARGET, dtype: spec.target.dtype ?? 'f32', exampleShape: [...spec.target.shape] },
    accuracy: spec.accuracy ?? false,
    parameters: named.filter((p) => p.trainable && states.has(p.name)).map((p) => p.name),
    buffers: named.filter((p) => !p.trainable && states.has(p.name)).map((p) => p.name),
    optimizerStates: apply.optimizerStates,
    stepState: STEP_STATE,
    phased,
    buckets: bucketGradients(phased, grads.parameters.map((p) => p.name).reverse(), bucketBytes),
    bucketBytes,
  };
}

/**
 * Buckets in reverse layer order (the order backward produces gradients), each filled up to
 * `bucketBytes`; a bucket is ready after the last step that writes any of its gradients.
 * A bucket is all-reduced as one f32 block (`Communicator.allReduce` takes a Float32Array,
 * and the runtime fills it element by element), so its bytes are 4 per element whatever
 * the gradients' dtype: counted from their shapes, not from their device bytes.
 */
export function bucketGradients(phased: PhasedPlan, parameters: readonly string[], bucketBytes: number): GradientBucket[] {
  const grads = phaseOf(phased, 'grads');
  const buckets: GradientBucket[] = [];
  let current: { outputs: string[]; inputs: string[]; elements: number; ready: number } | undefined;
  for (const name of parameters) {
    const output = grads.outputs.find((o) => o.name === gradientName(name))!;
    const t = phased.plan.tensors[output.tensor];
    const elements = numel(t.shape);
    if (current && (current.elements + elements) * F32_BYTES > bucketBytes) {
      buckets.push({ outputs: current.outputs, inputs: current.inputs, elements: current.elements, readyAfterStep: current.ready });
      current = undefined;
    }
    current ??= { outputs: [], inputs: [], elements: 0, ready: grads.firstStep - 1 };
    current.outputs.push(output.name);
    current.inputs.push(gradientName(name));
    current.elements += elements;
    current.ready = Math.max(current.ready, lastStepTouching(phased.plan, grads, output.tensor));
  }
  if (current) buckets.push({ outputs: current.outputs, inputs: current.inputs, elements: current.elements, readyAfterStep: current.ready });
  return buckets;
}

/** Device bytes of a phased plan: its three regions. */
export function phasedDeviceBytes(phased: PhasedPlan): number {
  const r = phased.plan.regionBytes;
  return r.arena + r.constants + r.states;
}

/** Refuses a plan that needs more than `limit` bytes, with the numbers. */
export function checkDeviceMemory(phased: PhasedPlan, limit: number | undefined, what: string): void {
  if (limit === undefined) return;
  const r = phased.plan.regionBytes;
  const total = phasedDeviceBytes(phased);
  if (total > limit) {
    throw new OutOfMemoryError(`${what} needs ${total} bytes (states ${r.states}, constants ${r.constants}, arena ${r.arena}), more than the ${limit} bytes of device memory allowed`);
  }
}
