import { loadArtifact } from '../../runtime/artifact/index.js';
import type { Runnable, RunnableOptions } from './runnable.js';

/** A compiled artifact: loaded (and checked against the adapter) by the runtime alone. */
export async function openArtifact(dir: string, options: RunnableOptions): Promise<Runnable> {
  const artifact = await loadArtifact(dir, options.weights ? { weights: options.weights, unusedWeights: 'ignore' } : {});
  return {
    inputs: artifact.inputs,
    prepare: (inputs) =>
      Promise.resolve({
        executable: artifact.executable,
        feed: Object.fromEntries(inputs),
        outputs: artifact.outputs.map((o) => ({ name: o.name, npyDescr: artifact.outputNpyTypes[o.name] })),
      }),
    dispose: () => artifact.dispose(),
  };
}
