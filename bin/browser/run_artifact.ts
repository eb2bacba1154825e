import { readInputs } from '../inputs.js';
import type { CliIO } from '../io.js';
import { writeOutputs } from '../outputs.js';
import { readArtifactSignature } from './artifact_signature.js';
import { runInBrowser } from './session.js';

/**
 * `dawnflow run <artifact dir> --browser`: the contract of `run <artifact dir>` (the CLI's one
 * input reader and output writer: .npy or .pb in, one <out>/<name>.npy per output, the same
 * names and element types), with the run itself in headless Chromium (runInBrowser).
 */
export async function runArtifactInBrowser(
  dir: string,
  files: ReadonlyMap<string, string>,
  out: string,
  options: { readonly weights?: string },
  io: CliIO,
): Promise<Record<string, string>> {
  const signature = await readArtifactSignature(dir);
  const inputs = await readInputs(signature.inputs, files);
  const { outputs, adapter } = await runInBrowser(dir, Object.fromEntries(inputs), { weights: options.weights });
  io.info(`ran in headless Chromium on ${adapter}`);
  return writeOutputs(out, signature.outputs.map((o) => ({ name: o.name, npyDescr: signature.outputNpyTypes[o.name] })), outputs, io);
}
