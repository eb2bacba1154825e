import { UsageError } from '../../ir/errors.js';
import type { Plan } from '../../ir/plan.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { Executable, RunOptions, TensorSpec } from '../executable.js';
import type { RunInput } from '../host_data.js';
import type { RunHandle } from '../run_handle.js';
import type { ArtifactManifest, PlanFile } from '../../ir/artifact_format.js';

/**
 * Writes exported states to a file: safetensors on disk in Node (load.ts). A web page has no
 * files to write; there `exportStates` is refused and `stateWeights` gives the tensors.
 */
export type StatesWriter = (path: string, tensors: ReadonlyMap<string, HostTensor>, metadata: Readonly<Record<string, string>>) => Promise<void>;

/** An artifact loaded onto a device: its pipelines created and its weights uploaded, once. */
export class LoadedArtifact {
  /** The artifact's directory (Node) or URL (a web page). */
  readonly dir: string;
  readonly manifest: ArtifactManifest;
  readonly executable: Executable;
  /** Output name → the .npy element type of the source model, where it has one (see PlanFile). */
  readonly outputNpyTypes: Readonly<Record<string, string>>;
  /** The safetensors name of each state, in plan order (what exportStates writes). */
  readonly #stateWeights: readonly { readonly state: string; readonly weight: string }[];
  readonly #writeStates: StatesWriter | undefined;

  constructor(dir: string, manifest: ArtifactManifest, planFile: PlanFile, executable: Executable, writeStates?: StatesWriter) {
    this.dir = dir;
    this.manifest = manifest;
    this.executable = executable;
    this.outputNpyTypes = planFile.outputNpyTypes ?? {};
    this.#stateWeights = planFile.states.map((s) => {
      const name = planFile.tensors[s.tensor].name;
      return { state: name, weight: s.weight ?? name };
    });
    this.#writeStates = writeStates;
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
   * The states' current values (after every run submitted so far) under their weight names,
   * all of them or those `names` picks (by state or weight name): what exportStates writes.
   */
  async stateWeights(names?: readonly string[]): Promise<Map<string, HostTensor>> {
    const wanted = names === undefined ? undefined : new Set(names);
    const chosen = this.#stateWeights.filter((s) => wanted === undefined || wanted.has(s.state) || wanted.has(s.weight));
    const values = await Promise.all(chosen.map((s) => this.readState(s.state)));
    return new Map(chosen.map((s, i) => [s.weight, values[i]]));
  }

  /**
   * Writes the states' current values (after every run submitted so far) to a safetensors file,
   * atomically, under their weight names: an artifact compiled from the same graph for inference
   * loads them with `loadArtifact(dir, { weights: path })`.
   */
  async exportStates(path: string, options: { readonly names?: readonly string[] } = {}): Promise<void> {
    if (!this.#writeStates) {
      throw new UsageError(`${path}: exportStates writes a file, which a web page cannot; use stateWeights() (and encodeSafetensors for the file's bytes)`);
    }
    await this.#writeStates(path, await this.stateWeights(options.names), { format: 'dawnflow-states', plan: this.plan.name });
  }

  dispose(): void {
    this.executable.dispose();
  }
}
