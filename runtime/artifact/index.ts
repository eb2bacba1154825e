/** Loading ahead-of-time artifacts: everything here runs without the compiler. */
export { loadArtifact, LoadedArtifact } from './load.js';
export type { LoadArtifactOptions } from './load.js';
export { ARTIFACT_FORMAT, ARTIFACT_VERSION, KERNELS_DIR, MANIFEST_FILE, MODULE_BASENAME, PLAN_FILE, WEIGHTS_FILE } from '../../ir/artifact_format.js';
export type { ArtifactManifest, ManifestEntry, PlanFile, PlanFileKernel, PlanFileWeight } from '../../ir/artifact_format.js';
// The weights format of artifacts and checkpoints, for reading exported parameters.
export { decodeSafetensors, encodeSafetensors } from '../../ir/safetensors.js';
export type { SafetensorsContents, TensorEntries } from '../../ir/safetensors.js';
export { readSafetensors, writeSafetensors } from '../io/safetensors.js';
