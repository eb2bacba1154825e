import { ArtifactError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { LoadedArtifact } from '../artifact/loaded_artifact.js';
import { type LoadArtifactOptions, openArtifact } from '../artifact/open.js';
import { urlSource } from '../artifact/url_source.js';
import { DawnDevice } from '../device.js';
import { decodeSafetensors } from '../../ir/safetensors.js';

/**
 * The browser bundle's loadArtifact: the same signature and checks as Node's (load.ts), the
 * files fetched from a URL instead of read from a directory. `dir` is the artifact's URL
 * (relative ones resolve against the page; the typed module passes its own directory), and
 * `weights`, when given, the URL of a safetensors file.
 */
export async function loadArtifact(dir: string | URL, options: LoadArtifactOptions | DawnDevice = {}): Promise<LoadedArtifact> {
  const opts: LoadArtifactOptions = options instanceof DawnDevice ? { device: options } : options;
  const weights = opts.weights;
  return openArtifact(urlSource(dir), {
    device: opts.device,
    weights: weights === undefined ? undefined : fetchWeights(weights),
    unusedWeights: opts.unusedWeights,
  });
}

async function fetchWeights(url: string): Promise<{ file: string; tensors: ReadonlyMap<string, HostTensor> }> {
  let bytes: Uint8Array;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new ArtifactError(`${url}: cannot read (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`, { cause });
  }
  return { file: url, tensors: decodeSafetensors(bytes, url).tensors };
}
