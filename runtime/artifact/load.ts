import { DawnDevice } from '../device.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { directorySource } from './directory_source.js';
import type { LoadedArtifact } from './loaded_artifact.js';
import { type LoadArtifactOptions, openArtifact } from './open.js';

export { LoadedArtifact } from './loaded_artifact.js';
export type { LoadArtifactOptions } from './open.js';

/**
 * Loads an artifact directory written by `emitArtifact` / `dawnflow compile` (Node: read from
 * disk; the browser bundle's loadArtifact fetches the same files from a URL): verifies the
 * manifest's checksums, parses the plan, checks its requirements against the device, reads the
 * weights, then creates every pipeline (in parallel) and uploads the weights (once).
 */
export async function loadArtifact(dir: string | URL, options: LoadArtifactOptions | DawnDevice = {}): Promise<LoadedArtifact> {
  const opts: LoadArtifactOptions = options instanceof DawnDevice ? { device: options } : options;
  const weights = opts.weights;
  return openArtifact(directorySource(dir), {
    device: opts.device,
    weights: weights === undefined ? undefined : readSafetensors(weights).then(({ tensors }) => ({ file: weights, tensors })),
    unusedWeights: opts.unusedWeights,
    writeStates: (path, tensors, metadata) => writeSafetensors(path, tensors, metadata),
  });
}
