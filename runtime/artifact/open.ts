import { ArtifactError } from '../../ir/errors.js';
import type { Plan, PlanConstant, PlanTensor } from '../../ir/plan.js';
import type { HostTensor } from '../../ir/tensor.js';
import { type DawnDevice, getDefaultDevice } from '../device.js';
import { Executable } from '../executable.js';
import { decodeSafetensors } from '../../ir/safetensors.js';
import type { PlanFile, PlanFileWeight } from '../../ir/artifact_format.js';
import { PLAN_FILE, WEIGHTS_FILE } from '../../ir/artifact_format.js';
import { LoadedArtifact, type StatesWriter } from './loaded_artifact.js';
import { readArtifact } from './read_artifact.js';
import { checkArtifactRequirements } from './requirements.js';
import type { ArtifactSource } from './source.js';

/**
 * Loading an artifact from wherever its files come from: the part of `loadArtifact` that Node
 * (load.ts, a directory) and a web page (runtime/browser/load.ts, a URL) share.
 */

/** What both loadArtifacts (Node's load.ts, the browser's) take besides the artifact. */
export interface LoadArtifactOptions {
  /** The device to run on (default: the process's shared device). */
  readonly device?: DawnDevice;
  /**
   * A safetensors file whose tensors replace the artifact's weights of the same names: the
   * parameters a training artifact exported (`exportStates`), or a checkpoint: a path in Node,
   * a URL in the browser bundle.
   */
  readonly weights?: string;
  /**
   * What to do with tensors of `weights` that name no weight of this artifact, such as a training
   * step's optimizer moments when loading its parameters into an inference model.
   * Default 'error', so a misspelt or renamed parameter is not silently left at its old value.
   */
  readonly unusedWeights?: 'error' | 'ignore';
}

/** Tensors replacing the artifact's weights of the same names, and the file they came from. */
export interface WeightOverrides {
  readonly file: string;
  readonly tensors: ReadonlyMap<string, HostTensor>;
}

export interface OpenArtifactOptions {
  /** The device to run on (default: the process's, or the page's, shared device). */
  readonly device?: DawnDevice;
  /** Read while the artifact is: replaces its weights of the same names. */
  readonly weights?: Promise<WeightOverrides>;
  /** What to do with override tensors that name no weight of the artifact (default 'error'). */
  readonly unusedWeights?: 'error' | 'ignore';
  /** How `exportStates` writes its file; absent where there are no files (a web page). */
  readonly writeStates?: StatesWriter;
}

function formatType(t: { readonly dtype: string; readonly shape: readonly (number | string)[] }): string {
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
 * Verifies the manifest's checksums, parses the plan, checks its requirements against the
 * device, reads the weights, then creates every pipeline (in parallel) and uploads the weights
 * (once).
 */
export async function openArtifact(source: ArtifactSource, options: OpenArtifactOptions = {}): Promise<LoadedArtifact> {
  // Acquiring the device takes as long as reading a model: do both at once.
  const pendingDevice = options.device ? Promise.resolve(options.device) : getDefaultDevice();
  pendingDevice.catch(() => undefined);
  options.weights?.catch(() => undefined);

  const { manifest, planFile, kernels, contents } = await readArtifact(source);

  const table = weightTable(planFile);
  const data = new Map<number, HostTensor>();
  const stored = decodeSafetensors(contents.get(WEIGHTS_FILE)!, WEIGHTS_FILE).tensors;
  bindWeights(table, data, stored, WEIGHTS_FILE, 'error');
  for (const [name, slot] of table) {
    if (!data.has(slot.entry.tensor)) throw new ArtifactError(`${WEIGHTS_FILE}: no tensor '${name}', which the artifact's ${slot.kind} '${slot.tensor.name}' needs`);
  }
  if (options.weights !== undefined) {
    const overrides = await options.weights;
    bindWeights(table, data, overrides.tensors, overrides.file, options.unusedWeights ?? 'error');
  }

  const withData = (entry: PlanFileWeight): PlanConstant => {
    const value = data.get(entry.tensor);
    return value === undefined ? { tensor: entry.tensor } : { tensor: entry.tensor, data: value.data };
  };
  const plan: Plan = { ...planFile, kernels, constants: planFile.constants.map(withData), states: planFile.states.map(withData) };

  const device = await pendingDevice;
  checkArtifactRequirements(planFile.requirements, device);
  const executable = await Executable.load(plan, device);
  return new LoadedArtifact(source.location, manifest, planFile, executable, options.writeStates);
}
