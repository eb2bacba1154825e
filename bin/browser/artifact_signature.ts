import { ArtifactError } from '../../ir/errors.js';
import { directorySource } from '../../runtime/artifact/directory_source.js';
import { PLAN_FILE } from '../../ir/artifact_format.js';
import { readArtifact } from '../../runtime/artifact/read_artifact.js';
import type { TensorSpec } from '../../runtime/executable_options.js';

/**
 * What `run --browser` needs to know of an artifact before the browser has it: the inputs (to
 * read the .npy files with the right element types), the outputs, and the .npy type each
 * output is written as. Read from the verified plan.json, with no device.
 */
export interface ArtifactSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly outputNpyTypes: Readonly<Record<string, string>>;
}

export async function readArtifactSignature(dir: string): Promise<ArtifactSignature> {
  const { planFile: plan } = await readArtifact(directorySource(dir));
  const spec = (name: string, id: number): TensorSpec => {
    const t = plan.tensors[id];
    if (!t) throw new ArtifactError(`${PLAN_FILE}: '${name}' names tensor ${id}, which does not exist`);
    return { name, dtype: t.dtype, shape: t.shape };
  };
  return {
    inputs: plan.inputs.map((io) => spec(io.name, io.tensor)),
    outputs: plan.outputs.map((io) => spec(io.name, io.tensor)),
    outputNpyTypes: plan.outputNpyTypes ?? {},
  };
}
