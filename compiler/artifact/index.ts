/** Ahead-of-time artifacts: writing them (loading is runtime/artifact's job). */
export { DEFAULT_RUNTIME_IMPORT, emitArtifact } from './emit.js';
export type { EmitArtifactOptions, EmittedArtifact } from './emit.js';
export { derivePlanRequirements } from './requirements.js';
export { serializePlan } from './serialize_plan.js';
export type { SerializedPlan } from './serialize_plan.js';
