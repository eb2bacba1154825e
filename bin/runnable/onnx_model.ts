import { compile } from '../../compiler/compile.js';
import { importForInputs } from '../../compiler/onnx/import_for_inputs.js';
import { modelSignature } from '../../compiler/onnx/signature.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { tunedCompileOptions } from '../../toolchain/device_tuning.js';
import type { CliIO } from '../io.js';
import { readModelFile } from '../model_file.js';
import { npyDescrOfOnnx } from '../onnx_npy.js';
import type { Runnable, RunnableOptions } from './runnable.js';

/**
 * An ONNX model, imported for the inputs given: every input's shape is fixed, and an input whose
 * value an op needs at import time (Reshape's shape fed as an input) is bound as a constant.
 * Outputs are written in the model's element types (int64 stays int64).
 */
export function openOnnxModel(path: string, options: RunnableOptions, io: CliIO): Runnable {
  const { model, baseDir } = readModelFile(path);
  const signature = modelSignature(model);
  let executable: Executable | undefined;
  return {
    inputs: signature.inputs,
    async prepare(inputs) {
      const { imported, constantInputs } = importForInputs(model, inputs, { baseDir, source: path });
      if (constantInputs.length) io.info(`bound at import (their values shape the graph): ${constantInputs.join(', ')}`);
      const device = await getDefaultDevice();
      const compileOptions = options.tune ? await tunedCompileOptions(imported.graph, device, { onProgress: (line) => io.info(line) }) : { limits: device.limits };
      executable = await Executable.load(compile(imported.graph, compileOptions), device);
      return {
        executable,
        feed: Object.fromEntries(imported.inputs.map((i) => [i.name, inputs.get(i.name)!])),
        outputs: imported.outputs.map((o) => ({ name: o.name, npyDescr: npyDescrOfOnnx(o.onnxType) })),
      };
    },
    dispose: () => executable?.dispose(),
  };
}
