/**
 * dawnflow: a dataflow-graph compiler for accelerators. Graphs (from the DSL or ONNX) are
 * optimized, fused, scheduled and lowered to WGSL, then executed by the runtime on Dawn.
 */
export * from './ir/index.js';
export { compile, compileWithReport, DEFAULT_LIMITS } from './compiler/compile.js';
export type { CompileOptions, CompileReport, CompileResult, TargetLimits } from './compiler/compile.js';
export { interpret } from './targets/reference/interpreter.js';
export type { InterpretOptions, InterpretResult } from './targets/reference/interpreter.js';
export { acquireDevice, DawnDevice, Executable, getDefaultDevice, RunHandle } from './runtime/index.js';
// Several devices: parallel training and inference pipelines (docs/parallel.md).
export * from './runtime/distributed/index.js';
export * from './compiler/parallel/index.js';
export { fit } from './toolchain/parallel_fit.js';
export type { ParallelFitOptions } from './toolchain/parallel_fit.js';
export type { DeviceLimits, DeviceOptions, RunInput, RunOptions, TensorSpec } from './runtime/index.js';
// Training: the DSL, autodiff, optimizers, training-step compilation and the fit loop.
export * from './compiler/dsl/index.js';
export { grad, gradients } from './compiler/autodiff/index.js';
export * from './compiler/optim/index.js';
export * from './compiler/train/index.js';
export * from './runtime/training/index.js';
export { tunedCompileOptions } from './toolchain/device_tuning.js';
export type { DeviceTuningOptions } from './toolchain/device_tuning.js';
export { autotune } from './compiler/tune/autotune.js';
export { emptyTable, loadTable, saveTable, tunedOptions } from './compiler/tune/tuning_table.js';
export type { TuningTable } from './compiler/tune/tuning_table.js';
export { importOnnx, importOnnxModel } from './compiler/onnx/import.js';
export type { OnnxImport, OnnxImportOptions } from './compiler/onnx/import.js';
export { inspectPlan, formatPlanSummary } from './compiler/report/plan_report.js';
export type { PlanSummary } from './compiler/report/plan_report.js';
export { renderPlanSvg } from './compiler/report/svg.js';
export { toOnnx } from './compiler/onnx/export.js';
export * from './compiler/finetune/index.js';
export { decodeModel } from './compiler/onnx/proto.js';
export { formatBytes, parseByteSize } from './compiler/remat/byte_size.js';
export * from './compiler/decoding/index.js';
export { DecoderSession, DeviceTensor, generate, GREEDY, sampleToken } from './runtime/index.js';
export type { CacheResidency, DecoderPlans, DecoderSessionOptions, DecoderSignature, GenerateOptions, Generation, KvCache, RunFeed, SamplingOptions } from './runtime/index.js';
export type { ExportOptions } from './compiler/onnx/export.js';
