/**
 * dawnflow/runtime: executes compiled Plans on Dawn's WebGPU. This is all an ahead-of-time
 * artifact needs, so it pulls in nothing of the compiler: only the IR's plain types, errors
 * and host tensors.
 */
export { acquireDevice, DawnDevice, getDefaultDevice } from './device.js';
export type { DeviceLimits, DeviceOptions, GpuErrorKind, GpuErrorRecord } from './device.js';
export { Executable } from './executable.js';
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
export { launchAttempt, MAX_RESTARTS_ENV, RESTART_ENV, resumePoint } from './distributed/restart.js';
export type { LaunchAttempt, ResumePoint } from './distributed/restart.js';
export type { RunInput } from './host_data.js';

export * from '../ir/errors.js';
export { hostTensor } from '../ir/tensor.js';
export type { HostTensor } from '../ir/tensor.js';
export type { DType, TensorData } from '../ir/dtype.js';
export type { StaticShape } from '../ir/shape.js';
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
  PlanTensor,
} from '../ir/plan.js';
