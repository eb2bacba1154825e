import { loadArtifact } from '../../../runtime/browser/index.js';
import type { HostTensor, LoadedArtifact } from '../../../runtime/browser/index.js';
import { errorToWire, tensorFromWire, tensorToWire, type WireResult, type WireTensor } from '../wire.js';

/**
 * The page side of `run --browser` and the browser tests: loads an artifact with the browser
 * runtime (this script imports it as 'dawnflow/runtime', which the page's import map resolves
 * to the bundle), runs it, and reports on the page what happened, a typed error included.
 * Node calls `run` through puppeteer; the page module sets `globalThis.dawnflowBridge`.
 */

export interface BridgeRunOptions {
  /** Load through the artifact's typed module (model.js and its load()) rather than loadArtifact. */
  readonly typedModule?: boolean;
  /** The URL of a safetensors file replacing weights of the same names (extra tensors ignored, as the CLI does). */
  readonly weights?: string;
}

interface PageDocument {
  getElementById(id: string): { textContent: string | null } | null;
  readonly body: { dataset: Record<string, string | undefined> };
}

function show(state: 'running' | 'done' | 'error', text: string): void {
  const doc = (globalThis as { document?: PageDocument }).document;
  if (!doc) return;
  doc.body.dataset.state = state;
  const status = doc.getElementById('status');
  if (status) status.textContent = text;
}

interface TypedModule {
  load(options?: { weights?: string; unusedWeights?: 'ignore' }): Promise<{ readonly artifact: LoadedArtifact }>;
}

async function open(url: string, options: BridgeRunOptions): Promise<LoadedArtifact> {
  const loadOptions = options.weights ? { weights: options.weights, unusedWeights: 'ignore' as const } : {};
  if (!options.typedModule) return loadArtifact(url, loadOptions);
  const module = (await import(/* @vite-ignore */ new URL('model.js', url.endsWith('/') ? url : `${url}/`).href)) as TypedModule;
  return (await module.load(loadOptions)).artifact;
}

export async function run(url: string, inputs: Readonly<Record<string, WireTensor>>, options: BridgeRunOptions = {}): Promise<WireResult> {
  show('running', `loading ${url}`);
  try {
    const artifact = await open(url, options);
    try {
      const feed: Record<string, HostTensor> = {};
      for (const [name, wire] of Object.entries(inputs)) feed[name] = tensorFromWire(wire);
      const results = await artifact.run(feed);
      const outputs: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(results)) outputs[name] = tensorToWire(t);
      const adapter = artifact.executable.device.adapterDescription;
      show('done', `ran ${artifact.plan.name} on ${adapter}: ${Object.entries(results).map(([n, t]) => `${n} ${t.dtype}[${t.shape.join(',')}]`).join(', ')}`);
      return { ok: true, outputs, adapter };
    } finally {
      artifact.dispose();
    }
  } catch (e) {
    const error = errorToWire(e);
    show('error', `${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}`);
    return { ok: false, error };
  }
}
