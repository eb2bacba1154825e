/**
 * dawnflow's runtime for web pages: the entry of the browser bundle (bin/browser/bundle.ts
 * builds it into one ES module). The same API as dawnflow/runtime in Node, minus what needs
 * files (checkpoints, reading and writing safetensors files, Parquet, MPI): `loadArtifact(url)`
 * fetches an artifact and runs it on `navigator.gpu`, and an artifact's typed module (model.js)
 * works unchanged once an import map points 'dawnflow/runtime' at this bundle.
 */
export * from '../portable.js';
export { loadArtifact } from './load.js';
export { LoadedArtifact } from '../artifact/loaded_artifact.js';
export type { LoadArtifactOptions } from '../artifact/open.js';
export { checkArtifactRequirements } from '../artifact/requirements.js';
