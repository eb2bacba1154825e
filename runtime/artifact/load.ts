import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactError } from '../../ir/errors.js';
import type { Plan, PlanConstant, PlanKernel, PlanTensor } from '../../ir/plan.js';
import type { HostTensor } from '../../ir/tensor.js';
import { DawnDevice, getDefaultDevice } from '../device.js';
import { Executable, type RunOptions, type TensorSpec } from '../executable.js';
import type { RunInput } from '../host_data.js';
import { decodeSafetensors } from '../../ir/safetensors.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { RunHandle } from '../run_handle.js';
import { readVerifiedFiles } from './files.js';
import type { ArtifactManifest, PlanFile, PlanFileWeight } from '../../ir/artifact_format.js';
import { MANIFEST_FILE, PLAN_FILE, WEIGHTS_FILE } from '../../ir/artifact_format.js';
import { parsePlanFile } from './plan_file.js';
import { checkArtifactRequirements } from './requirements.js';

export interface LoadArtifactOptions {
  /** The device to run on (default: the process's shared device). */
  readonly device?: DawnDevice;
  /**
   * A safetensors file whose tensors replace the artifact's weights of the same names: the
   * parameters a training artifact exported (`exportStates`), or a checkpoint.
   */
  readonly weights?: string;
  /**
   * What to do with tensors of `weights` that name no weight of this artifact, such as a training
   * step's optimizer moments when loading its parameters into an inference model.
   * Default 'error', so a misspelt or renamed parameter is not silently left at its old value.
   */
  readonly unusedWeights?: 'error' | 'ignore';
}

/** An artifact loaded onto a device: its pipelines created and its weights uploaded, once. */
export class LoadedArtifact {
  readonly dir: string;
  readonly manifest: ArtifactManifest;
  readonly executable: Executable;
  /** Output name → the .npy element type of the source model, where it has one (see PlanFile). */
  readonly outputNpyTypes: Readonly<Record<string, string>>;
  /** The safetensors name of each state, in plan order (what exportStates writes). */
  readonly #stateWeights: readonly { readonly state: string; readonly weight: string }[];

  constructor(dir: string, manifest: ArtifactManifest, planFile: PlanFile, executable: Executable) {
    this.dir = dir;
    this.manifest = manifest;
    this.executable = executable;
    this.outputNpyTypes = planFile.outputNpyTypes ?? {};
    this.#stateWeights = planFile.states.map((s) => {
      const name = planFile.tensors[s.tensor].name;
      return { state: name, weight: s.weight ?? name };
    });
  }

  get plan(): Plan {
    return this.executable.plan;
  }
  get inputs(): readonly TensorSpec[] {
    return this.executable.inputs;
  }
  get outputs(): readonly TensorSpec[] {
    return this.executable.outputs;
  }
  get states(): readonly TensorSpec[] {
    return this.executable.states;
  }

  run(inputs: Readonly<Record<string, RunInput>>, options?: RunOptions): Promise<Record<string, HostTensor>> {
    return this.executable.run(inputs, options);
  }
  dispatch(inputs: Readonly<Record<string, RunInput>>, options?: RunOptions): RunHandle {
    return this.executable.dispatch(inputs, options);
  }
  readState(name: string): Promise<HostTensor> {
    return this.executable.readState(name);
  }
  writeState(name: string, value: RunInput): void {
    this.executable.writeState(name, value);
  }

  /**
   * Writes the states' current values (after every run submitted so far) to a safetensors file,
   * atomically, under their weight names: an artifact compiled from the same graph for inference
   * loads them with `loadArtifact(dir, { weights: path })`.
   */
  async exportStates(path: string, options: { readonly names?: readonly string[] } = {}): Promise<void> {
    const wanted = options.names === undefined ? undefined : new Set(options.names);
    const chosen = this.#stateWeights.filter((s) => wanted === undefined || wanted.has(s.state) || wanted.has(s.weight));
    const values = await Promise.all(chosen.map((s) => this.readState(s.state)));
    await writeSafetensors(path, new Map(chosen.map((s, i) => [s.weight, values[i]])), { format: 'dawnflow-states', plan: this.plan.name });
  }

  dispose(): void {
    this.executable.dispose();
  }
}

function directoryOf(dir: string | URL): string {
  if (dir instanceof URL) return fileURLToPath(dir);
  return resolve(dir.startsWith('file:') ? fileURLToPath(dir) : dir);
}

function formatType(t: { readonly dtype: string; readonly shape: readonly number[] }): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}

/** Every weight of the plan, by name: the tensor it fills and whether it is a constant. */
function weightTable(planFile: PlanFile): Map<string, { tensor: PlanTensor; kind: 'constant' | 'state'; entry: PlanFileWeight }> {
  const table = new Map<string, { tensor: PlanTensor; kind: 'constant' | 'state'; entry: PlanFileWeight }>();
  for (const [kind, list] of [['constant', planFile.constants], ['state', planFile.states]] as const) {
    for (const entry of list) {
      if (entry.weight === undefined) continue;
      const tensor = planFile.tensors[entry.tensor];
      if (!tensor) throw new ArtifactError(`${PLAN_FILE}: ${kind} '${entry.weight}' names tensor ${entry.tensor}, which does not exist`);
      if (table.has(entry.weight)) throw new ArtifactError(`${PLAN_FILE}: the weight name '${entry.weight}' is used twice`);
      table.set(entry.weight, { tensor, kind, entry });
    }
  }
  return table;
}

/** Fills `data` from a safetensors file's tensors, checking each against the plan tensor. */
function bindWeights(
  table: ReturnType<typeof weightTable>,
  data: Map<number, HostTensor>,
  tensors: ReadonlyMap<string, HostTensor>,
  file: string,
  unused: 'error' | 'ignore',
): void {
  for (const [name, value] of tensors) {
    const slot = table.get(name);
    if (!slot) {
      if (unused === 'error') {
        throw new ArtifactError(`${file}: tensor '${name}' names no constant or state of the artifact (weights: ${[...table.keys()].slice(0, 8).join(', ')}${table.size > 8 ? ', ...' : ''})`);
      }
      continue;
    }
    const t = slot.tensor;
    if (value.dtype !== t.dtype || value.shape.length !== t.shape.length || value.shape.some((d, i) => d !== t.shape[i])) {
      throw new ArtifactError(`${file}: tensor '${name}' is ${formatType(value)}, but the artifact's ${slot.kind} '${name}' is ${formatType(t)}`);
    }
    data.set(slot.entry.tensor, value);
  }
}

/**
 * Loads an artifact directory written by `emitArtifact` / `dawnflow compile`: verifies the
 * manifest's checksums, parses the plan, checks its requirements against the device, reads the
 * weights, then creates every pipeline (in parallel) and uploads the weights (once).
 */
export async function loadArtifact(dir: string | URL, options: LoadArtifactOptions | DawnDevice = {}): Promise<LoadedArtifact> {
  const opts: LoadArtifactOptions = options instanceof DawnDevice ? { device: options } : options;
  const root = directoryOf(dir);
  // Acquiring the device takes as long as reading a model: do both at once.
  const pendingDevice = opts.device ? Promise.resolve(opts.device) : getDefaultDevice();
  pendingDevice.catch(() => undefined);

  const { manifest, contents } = await readVerifiedFiles(root, [PLAN_FILE, WEIGHTS_FILE]);
  const planFile = parsePlanFile(contents.get(PLAN_FILE)!);
  const kernels: PlanKernel[] = planFile.kernels.map((k, i) => {
    const source = contents.get(k.source);
    if (!source) throw new ArtifactError(`${PLAN_FILE}: kernels[${i}] '${k.name}' reads '${k.source}', which ${MANIFEST_FILE} does not list`);
    return { name: k.name, wgsl: new TextDecoder().decode(source), entryPoint: k.entryPoint, workgroupSize: k.workgroupSize, bindingCount: k.bindingCount };
  });

  const table = weightTable(planFile);
  const data = new Map<number, HostTensor>();
  const stored = decodeSafetensors(contents.get(WEIGHTS_FILE)!, WEIGHTS_FILE).tensors;
  bindWeights(table, data, stored, WEIGHTS_FILE, 'error');
  for (const [name, slot] of table) {
    if (!data.has(slot.entry.tensor)) throw new ArtifactError(`${WEIGHTS_FILE}: no tensor '${name}', which the artifact's ${slot.kind} '${slot.tensor.name}' needs`);
  }
  if (opts.weights !== undefined) bindWeights(table, data, (await readSafetensors(opts.weights)).tensors, opts.weights, opts.unusedWeights ?? 'error');

  const withData = (entry: PlanFileWeight): PlanConstant => {
    const value = data.get(entry.tensor);
    return value === undefined ? { tensor: entry.tensor } : { tensor: entry.tensor, data: value.data };
  };
  const plan: Plan = { ...planFile, kernels, constants: planFile.constants.map(withData), states: planFile.states.map(withData) };

  const device = await pendingDevice;
  checkArtifactRequirements(planFile.requirements, device);
  const executable = await Executable.load(plan, device);
  return new LoadedArtifact(root, manifest, planFile, executable);
}
