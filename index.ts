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
export type { DeviceLimits, DeviceOptions, RunInput, RunOptions, TensorSpec } from './runtime/index.js';
