import { resolve } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { tunedCompileOptions } from '../../toolchain/device_tuning.js';
import { graphOfModule } from '../dsl_module.js';
import { dimsOfInputs } from '../inputs.js';
import type { CliIO } from '../io.js';
import type { Runnable, RunnableOptions } from './runnable.js';

/**
 * A DSL module's graph (a TrainingSpec's evaluation graph), compiled with its symbolic dims
 * kept symbolic (the runtime binds them from the inputs given); with --tune, specialized to the
 * inputs' sizes, which the tuner times. Outputs are written in their computed dtypes.
 */
export async function openDslModule(path: string, options: RunnableOptions, io: CliIO): Promise<Runnable> {
  const graph = await graphOfModule(resolve(path), true);
  const inputs = graph.inputs.map((v) => ({ name: v.name, dtype: v.type.dtype, shape: v.type.shape }));
  let executable: Executable | undefined;
  return {
    inputs,
    async prepare(tensors) {
      const dims = dimsOfInputs(inputs, tensors);
      const device = await getDefaultDevice();
      const compileOptions = options.tune ? await tunedCompileOptions(graph, device, { dims, onProgress: (line) => io.info(line) }) : { limits: device.limits };
      executable = await Executable.load(compile(graph, compileOptions), device);
      return { executable, feed: Object.fromEntries(tensors), outputs: executable.outputs.map((o) => ({ name: o.name })) };
    },
    dispose: () => executable?.dispose(),
  };
}
