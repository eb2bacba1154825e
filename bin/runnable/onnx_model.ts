import type { CompileOptions } from '../../compiler/compile.js';
import { compile } from '../../compiler/compile.js';
import { importForInputs } from '../../compiler/onnx/import_for_inputs.js';
import type { ModelProto } from '../../compiler/onnx/proto.js';
import { modelSignature } from '../../compiler/onnx/signature.js';
import type { Graph, HostTensor } from '../../ir/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { tunedCompileOptions } from '../../toolchain/device_tuning.js';
import { defaultPlanCacheDir, loadOrCompile } from '../../toolchain/plan_cache.js';
import type { CliIO } from '../io.js';
import { readModelFile } from '../model_file.js';
import { outputNpyTypes } from '../onnx_npy.js';
import type { Runnable, RunnableOptions } from './runnable.js';

/**
 * An ONNX model, imported for the inputs given: every input's shape is fixed, and an input whose
 * value an op needs at import time (Reshape's shape fed as an input) is bound as a constant.
 * Outputs are written in the model's element types (int64 stays int64).
 */
export function openOnnxModel(path: string, options: RunnableOptions, io: CliIO): Runnable {
  const { model, baseDir, bytes } = readModelFile(path);
  const signature = modelSignature(model);
  let executable: Executable | undefined;
  const importAndCompile = async (inputs: ReadonlyMap<string, HostTensor>, optionsFor: (graph: Graph) => Promise<CompileOptions>) => {
    const { imported, constantInputs } = importForInputs(model, inputs, { baseDir, source: path });
    if (constantInputs.length) io.info(`bound at import (their values shape the graph): ${constantInputs.join(', ')}`);
    return { plan: compile(imported.graph, await optionsFor(imported.graph)), constantInputs, outputNpyTypes: outputNpyTypes(imported.outputs) };
  };
  return {
    inputs: signature.inputs,
    async prepare(inputs) {
      const device = await getDefaultDevice();
      let compiled: { constantInputs: readonly string[]; outputNpyTypes: Readonly<Record<string, string>> };
      // Tuned plans are not cached (tuning is asked for explicitly), nor models whose weights live in other files.
      if (!options.tune && planCacheEnabled() && !hasExternalData(model)) {
        const key = { model: bytes, inputs: [...inputs].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })), options: {} };
        const cached = await loadOrCompile(key, inputs, device, () => importAndCompile(inputs, async () => ({ limits: device.limits })));
        if (cached.hit) io.info(`the compiled plan came from the plan cache (${defaultPlanCacheDir()}; DAWNFLOW_PLAN_CACHE=off skips it)`);
        executable = cached.executable;
        compiled = cached;
      } else {
        const optionsFor = async (graph: Graph): Promise<CompileOptions> =>
          options.tune ? tunedCompileOptions(graph, device, { onProgress: (line) => io.info(line) }) : { limits: device.limits };
        const result = await importAndCompile(inputs, optionsFor);
        executable = await Executable.load(result.plan, device);
        compiled = result;
      }
      const bound = new Set(compiled.constantInputs);
      return {
        executable,
        feed: Object.fromEntries(executable.plan.inputs.filter((i) => !bound.has(i.name)).map((i) => [i.name, inputs.get(i.name)!])),
        outputs: executable.plan.outputs.map((o) => ({ name: o.name, npyDescr: compiled.outputNpyTypes[o.name] })),
      };
    },
    dispose: () => executable?.dispose(),
  };
}

/** DAWNFLOW_PLAN_CACHE=off (or 0, false) runs without the plan cache. */
function planCacheEnabled(): boolean {
  return !/^(off|0|false|no)$/i.test(process.env.DAWNFLOW_PLAN_CACHE ?? '');
}

/** Whether any initializer keeps its data in another file (the model's bytes would not key it). */
function hasExternalData(model: ModelProto): boolean {
  return (model.graph?.initializer ?? []).some((t) => Number(t.dataLocation ?? 0) === 1);
}
