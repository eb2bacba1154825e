/**
 * dawnflow's runtime for web pages: the entry of the browser bundle (bin/browser/bundle.ts
 * builds it into one ES module). The same API as dawnflow/runtime in Node, minus what needs
 * files (checkpoints, reading and writing safetensors files): `loadArtifact(url)` fetches an
 * artifact and runs it on `navigator.gpu`, and an artifact's typed module (model.js) works
 * unchanged once an import map points 'dawnflow/runtime' at this bundle.
 */
export { acquireDevice, DawnDevice, getDefaultDevice } from '../device.js';
export type { DeviceLimits, DeviceOptions, GpuErrorKind, GpuErrorRecord } from '../device.js';
export { Executable } from '../executable.js';
export type { ExecutableOptions, RecoveryEvent, RunOptions, StateSnapshot, StepProfile, TensorSpec } from '../executable.js';
export { NonFiniteError } from '../numeric_guard.js';
export type { NonFiniteFinding, NumericGuardOptions } from '../numeric_guard.js';
export { RunHandle } from '../run_handle.js';
export type { RunInput } from '../host_data.js';
export { DeviceTensor } from '../device_tensor.js';
export type { RunFeed } from '../device_feeds.js';
export * from '../generation/index.js';
export { CACHE_KINDS, DECODER_DIMS, INPUT_IDS, LOGITS, pastName, POSITION_IDS, presentName } from '../../ir/decoder.js';
export type { CacheKind, DecoderPlans, DecoderSignature } from '../../ir/decoder.js';

export { loadArtifact } from './load.js';
export { LoadedArtifact } from '../artifact/loaded_artifact.js';
export type { LoadArtifactOptions } from '../artifact/open.js';
export { checkArtifactRequirements } from '../artifact/requirements.js';
export { ARTIFACT_FORMAT, ARTIFACT_VERSION, KERNELS_DIR, MANIFEST_FILE, MODULE_BASENAME, PLAN_FILE, WEIGHTS_FILE } from '../../ir/artifact_format.js';
export type { ArtifactManifest, ManifestEntry, PlanFile, PlanFileKernel, PlanFileWeight } from '../../ir/artifact_format.js';
export { decodeSafetensors, encodeSafetensors } from '../../ir/safetensors.js';
export type { SafetensorsContents, TensorEntries } from '../../ir/safetensors.js';

export * from '../../ir/errors.js';
export { hostTensor } from '../../ir/tensor.js';
export type { HostTensor } from '../../ir/tensor.js';
export type { DType, TensorData } from '../../ir/dtype.js';
export type { StaticShape } from '../../ir/shape.js';
export { PLAN_FORMAT, PLAN_VERSION } from '../../ir/plan.js';
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
} from '../../ir/plan.js';
