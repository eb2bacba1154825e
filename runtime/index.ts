/**
 * dawnflow/runtime: executes compiled Plans on Dawn's WebGPU. This is all an ahead-of-time
 * artifact needs, so it pulls in nothing of the compiler: only the IR's plain types, errors
 * and host tensors.
 */
export { acquireDevice, DawnDevice, getDefaultDevice } from './device.js';
export type { DeviceLimits, DeviceOptions, GpuErrorKind, GpuErrorRecord } from './device.js';
export { Executable } from './executable.js';
export { fmaPeakPlan, measureFmaPeak } from './device_peak.js';
export type { FmaPeak } from './device_peak.js';
export { shaderModuleCount } from './pipelines.js';
export type { ExecutableOptions, RecoveryEvent, RunOptions, StateSnapshot, StepProfile, TensorSpec } from './executable.js';
export { NonFiniteError } from './numeric_guard.js';
export type { NonFiniteFinding, NumericGuardOptions } from './numeric_guard.js';
export { RunHandle } from './run_handle.js';
export * from './artifact/index.js';
export * from './checkpoint/index.js';
export * from './data/index.js';
export * from './distributed/index.js';
export { MpiCommunicator } from './distributed/mpi_communicator.js';
export type { MpiCommunicatorOptions } from './distributed/mpi_communicator.js';
export { launchAttempt, MAX_RESTARTS_ENV, RESTART_ENV } from './distributed/restart.js';
export type { LaunchAttempt } from './distributed/restart.js';
export type { RunInput } from './host_data.js';
export { DeviceTensor } from './device_tensor.js';
export type { RunFeed } from './device_feeds.js';
export * from './generation/index.js';
export { CACHE_KINDS, DECODER_DIMS, INPUT_IDS, LOGITS, pastName, POSITION_IDS, presentName } from '../ir/decoder.js';
export type { CacheKind, DecoderPlans, DecoderSignature } from '../ir/decoder.js';

export * from '../ir/errors.js';
export { hostTensor } from '../ir/tensor.js';
export type { HostTensor } from '../ir/tensor.js';
export type { DType, TensorData } from '../ir/dtype.js';
export type { Dim, Shape, StaticShape } from '../ir/shape.js';
export type { DimFact, DimFacts } from '../ir/dim_expr.js';
export { bindPlan } from '../ir/plan_binding.js';
export { PLAN_FORMAT, PLAN_VERSION } from '../ir/plan.js';
export type {
  Plan,
  PlanConstant,
  PlanIO,
  PlanKernel,
  PlanMemory,
  PlanRegion,
  PlanRequirements,
  PlanStateUpdate,
  PlanStep,
  PlanSymbols,
  PlanTensor,
  StaticPlan,
  StaticPlanTensor,
} from '../ir/plan.js';
