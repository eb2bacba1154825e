/**
 * dawnflow/runtime: executes compiled Plans on Dawn's WebGPU. This is all an ahead-of-time
 * artifact needs, so it pulls in nothing of the compiler: only the IR's plain types, errors
 * and host tensors. The part shared with the browser bundle is runtime/portable.ts; Node adds
 * artifacts and checkpoints on disk, datasets, and distributed training.
 */
export * from './portable.js';
export { loadArtifact, LoadedArtifact } from './artifact/load.js';
export type { LoadArtifactOptions } from './artifact/load.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export * from './checkpoint/index.js';
export * from './data/index.js';
export * from './distributed/index.js';
export { MpiCommunicator } from './distributed/mpi_communicator.js';
export type { MpiCommunicatorOptions } from './distributed/mpi_communicator.js';
export { launchAttempt, MAX_RESTARTS_ENV, RESTART_ENV, resumePoint } from './distributed/restart.js';
export type { LaunchAttempt, ResumePoint } from './distributed/restart.js';
