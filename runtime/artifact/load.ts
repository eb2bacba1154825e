import { DawnDevice } from '../device.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { directorySource } from './directory_source.js';
import type { LoadedArtifact } from './loaded_artifact.js';
import { openArtifact } from './open.js';

export { LoadedArtifact } from './loaded_artifact.js';

export interface LoadArtifactOptions {
  /** The device to run on (default: the process's shared device). */
  readonly device?: DawnDevice;
  /**
   * A safetensors file whose tensors replace the artifact's weights of the same names: the
   * parameters a training artifact exported (`exportStates`), or a checkpoint. (In the browser
   * bundle: a URL.)
   */
  readonly weights?: string;
  /**
   * What to do with tensors of `weights` that name no weight of this artifact, such as a training
   * step's optimizer moments when loading its parameters into an inference model.
   * Default 'error', so a misspelt or renamed parameter is not silently left at its old value.
   */
  readonly unusedWeights?: 'error' | 'ignore';
}

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
