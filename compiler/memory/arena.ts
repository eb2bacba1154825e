/**
 * The arena packer lives in ir/arena_packing.ts: the runtime packs symbolic plans per binding with
 * the same algorithm the compiler uses for static ones.
 */
export { liveLowerBound, planArena } from '../../ir/arena_packing.js';
export type { ArenaLayout, Lifetime } from '../../ir/arena_packing.js';
