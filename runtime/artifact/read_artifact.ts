import { ArtifactError } from '../../ir/errors.js';
import type { PlanKernel } from '../../ir/plan.js';
import { readVerifiedFiles } from './files.js';
import type { ArtifactManifest, PlanFile } from '../../ir/artifact_format.js';
import { MANIFEST_FILE, PLAN_FILE, WEIGHTS_FILE } from '../../ir/artifact_format.js';
import { parsePlanFile } from './plan_file.js';
import type { ArtifactSource } from './source.js';

/**
 * An artifact's files read, verified and parsed, with no device: what loading starts from, and
 * all that tools reading an artifact need (the inspector, `run --browser`'s signature).
 */
export interface ArtifactFiles {
  readonly manifest: ArtifactManifest;
  readonly planFile: PlanFile;
  /** plan.json's kernels with their WGSL read from kernels/*.wgsl. */
  readonly kernels: readonly PlanKernel[];
  /** Every file by path, checksum-verified (weights.safetensors among them). */
  readonly contents: ReadonlyMap<string, Uint8Array>;
}

export async function readArtifact(source: ArtifactSource): Promise<ArtifactFiles> {
  const { manifest, contents } = await readVerifiedFiles(source, [PLAN_FILE, WEIGHTS_FILE]);
  const planFile = parsePlanFile(contents.get(PLAN_FILE)!);
  const kernels: PlanKernel[] = planFile.kernels.map((k, i) => {
    const wgsl = contents.get(k.source);
    if (!wgsl) throw new ArtifactError(`${PLAN_FILE}: kernels[${i}] '${k.name}' reads '${k.source}', which ${MANIFEST_FILE} does not list`);
    const kernel: PlanKernel = { name: k.name, wgsl: new TextDecoder().decode(wgsl), entryPoint: k.entryPoint, workgroupSize: k.workgroupSize, bindingCount: k.bindingCount };
    return k.sizeSlots ? { ...kernel, sizeSlots: k.sizeSlots } : kernel;
  });
  return { manifest, planFile, kernels, contents };
}
