import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatType, InputError, UsageError } from '../../ir/index.js';
import type { HostTensor } from '../../ir/index.js';
import { encodeNpy, npyToTensor, parseNpy } from '../../runtime/io/npy.js';
import { parseArgs, splitAssignment } from '../args.js';
import { sanitizeName } from '../commands/run.js';
import { readBytes } from '../files.js';
import type { CliIO } from '../io.js';
import { readArtifactSignature } from './artifact_signature.js';
import { runInBrowser } from './session.js';

/**
 * `dawnflow run <artifact dir> --browser`: the contract of `run <artifact dir>` (.npy in, one
 * <out>/<name>.npy per output, the same names and element types), executed in headless
 * Chromium. Until the CLI's commands share one input reader and output writer (house-cli),
 * this holds its own small copies of them; the browser part is `runInBrowser`.
 */

export const RUN_BROWSER_USAGE = `usage: dawnflow run <artifact dir> --browser --input <name>=<file.npy> ... --out <dir> [--weights <file.safetensors>]

Runs a compiled artifact in headless Chromium (WebGPU through the browser runtime bundle, via
puppeteer-core) and writes each output to <dir>/<name>.npy, as 'dawnflow run <artifact dir>'
does on Dawn. Chromium: /usr/lib/chromium/chromium or $DAWNFLOW_CHROMIUM. Compile with the
default limits (no --device-limits) for an artifact every WebGPU browser can run.`;

/** Output file names, as `dawnflow run` names them: sanitized, unique ignoring case. */
function outputFileNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = sanitizeName(name);
    let file = base;
    for (let k = 1; used.has(file.toLowerCase()); k++) file = `${base}_${k}`;
    used.add(file.toLowerCase());
    return `${file}.npy`;
  });
}

export async function runBrowserCommand(argv: readonly string[], io: CliIO): Promise<Record<string, string>> {
  const args = parseArgs(argv, { input: { value: true, repeat: true, alias: 'i' }, out: { value: true, alias: 'o' }, weights: { value: true }, browser: { value: false }, verbose: { value: false, alias: 'v' } }, 'run');
  if (args.positionals.length !== 1) throw new UsageError(`run: expected one artifact directory, got ${args.positionals.length}\n${RUN_BROWSER_USAGE}`);
  const out = args.values.get('out')?.[0];
  if (!out) throw new UsageError('run: --out <dir> is required');
  const dir = args.positionals[0];
  const signature = await readArtifactSignature(dir);

  const inputs: Record<string, HostTensor> = {};
  for (const text of args.values.get('input') ?? []) {
    const [name, path] = splitAssignment(text, 'input');
    if (name in inputs) throw new UsageError(`run: input '${name}' given twice`);
    const spec = signature.inputs.find((i) => i.name === name);
    if (!spec) throw new InputError(`the model has no input '${name}' (inputs: ${signature.inputs.map((i) => i.name).join(', ') || 'none'})`);
    if (!path.endsWith('.npy')) throw new InputError(`input '${name}' (${path}): run --browser reads .npy files`);
    const what = `input '${name}' (${path})`;
    inputs[name] = npyToTensor(parseNpy(readBytes(path, `input file for '${name}'`), what), spec.dtype, what);
  }
  const missing = signature.inputs.filter((i) => !(i.name in inputs)).map((i) => `'${i.name}' (${formatType(i)})`);
  if (missing.length > 0) throw new InputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (give --input <name>=<file>)`);

  const { outputs: results, adapter } = await runInBrowser(dir, inputs, { weights: args.values.get('weights')?.[0] });
  io.info(`ran in headless Chromium on ${adapter}`);
  await mkdir(out, { recursive: true });
  const names = signature.outputs.map((o) => o.name);
  const files = outputFileNames(names);
  const written: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const path = join(out, files[i]);
    await writeFile(path, encodeNpy(results[name], signature.outputNpyTypes[name]));
    written[name] = path;
    io.print(`${name}: ${formatType(results[name])} -> ${path}`);
  }
  return written;
}
