/**
 * What the runtime offers alike in Node and in a web page: devices, executables, device tensors,
 * generation, the IR's plain types and errors. runtime/index.ts (Node) and runtime/browser/index.ts
 * (the browser bundle) each add their own way of loading artifacts, and Node its files, data and
 * distributed training, on top of this one list.
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
export type { RunInput } from './host_data.js';
export { DeviceTensor } from './device_tensor.js';
export type { RunFeed } from './device_feeds.js';
export * from './generation/index.js';
export { CACHE_KINDS, DECODER_DIMS, INPUT_IDS, LOGITS, pastName, POSITION_IDS, presentName } from '../ir/decoder.js';
export type { CacheKind, DecoderPlans, DecoderSignature } from '../ir/decoder.js';

export { ARTIFACT_FORMAT, ARTIFACT_VERSION, KERNELS_DIR, MANIFEST_FILE, MODULE_BASENAME, PLAN_FILE, WEIGHTS_FILE } from '../ir/artifact_format.js';
export type { ArtifactManifest, ManifestEntry, PlanFile, PlanFileKernel, PlanFileWeight } from '../ir/artifact_format.js';
// The weights format of artifacts and checkpoints, for reading exported parameters.
export { decodeSafetensors, encodeSafetensors } from '../ir/safetensors.js';
export type { SafetensorsContents, TensorEntries } from '../ir/safetensors.js';

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
