import type { Plan, PlanKernel } from './plan.js';

/**
 * The on-disk layout of an ahead-of-time artifact, shared by the emitter (compiler/artifact)
 * and the loader (runtime/artifact). Only types and constants, in ir/ beside the Plan: the
 * compiler and the runtime both import it and neither imports the other (artifacts run without
 * the compiler).
 *
 *   manifest.json        format, version, creator, SHA-256 and size of every other file
 *   plan.json            the Plan without host data (PlanFile below)
 *   kernels/NNN_*.wgsl   one WGSL module per kernel, referenced by plan.json
 *   weights.safetensors  constants and initial states, keyed by PlanFileWeight.weight
 *   model.ts/.js/.d.ts   the typed module whose load() calls loadArtifact on its own directory
 *
 * Kernels live in their own files, referenced from plan.json, rather than inline: there is one
 * copy of each source (nothing to drift between what a human reads and what runs) and the
 * manifest's checksums cover them like every other file.
 */

export const ARTIFACT_FORMAT = 'dawnflow-artifact';
/** Bumped whenever an older runtime could misread a newer artifact. */
export const ARTIFACT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const PLAN_FILE = 'plan.json';
export const WEIGHTS_FILE = 'weights.safetensors';
export const KERNELS_DIR = 'kernels';
export const MODULE_BASENAME = 'model';

export interface ManifestEntry {
  readonly sha256: string;
  readonly bytes: number;
}

export interface ArtifactManifest {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly version: number;
  /** e.g. "dawnflow 0.1.0". */
  readonly createdBy: string;
  /** The plan's name. */
  readonly name: string;
  /** Every file of the artifact but the manifest, by path relative to the artifact directory. */
  readonly files: Readonly<Record<string, ManifestEntry>>;
}

/** A kernel whose WGSL lives in a file of the artifact. */
export interface PlanFileKernel extends Omit<PlanKernel, 'wgsl'> {
  /** Path of the WGSL file, relative to the artifact directory. */
  readonly source: string;
}

/** A constant or state and the safetensors name of its data. */
export interface PlanFileWeight {
  readonly tensor: number;
  /** Name in weights.safetensors; absent for a state that starts at zero. */
  readonly weight?: string;
}

/** plan.json: a Plan with kernels in files and host data in safetensors. */
export interface PlanFile extends Omit<Plan, 'kernels' | 'constants' | 'states'> {
  readonly kernels: readonly PlanFileKernel[];
  readonly constants: readonly PlanFileWeight[];
  readonly states: readonly PlanFileWeight[];
  /** The device limits the compiler planned for (offset alignment, dispatch sizes). */
  readonly compiledFor: Readonly<Record<string, number>>;
  /**
   * Output name → the .npy element type the source model declares for it, where that is not
   * the dtype's own (an ONNX int64 output computed as i32 is written back as '<i8').
   */
  readonly outputNpyTypes?: Readonly<Record<string, string>>;
}
