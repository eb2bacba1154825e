/** Checkpoints of an executable's states: atomic, verified, bit-for-bit resumable. */
export { loadCheckpoint, readCheckpoint, saveCheckpoint, writeCheckpoint } from './checkpoint.js';
export type { CheckpointInfo, LoadCheckpointOptions, SaveCheckpointOptions } from './checkpoint.js';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './format.js';
export type { CheckpointMetadata, JsonValue } from './format.js';
export { PREVIOUS_SUFFIX, removeStaleTemps } from '../io/atomic_file.js';
export type { AtomicWriteHooks, WriteStage } from '../io/atomic_file.js';
