import type { CompileOptions } from '../compiler/compile.js';
import { autotune } from '../compiler/tune/autotune.js';
import type { TuningTable } from '../compiler/tune/tuning_table.js';
import { defaultCachePath, loadTable, saveTable, tunedOptions } from '../compiler/tune/tuning_table.js';
import type { Graph, HostTensor, Plan } from '../ir/index.js';
import type { DawnDevice } from '../runtime/index.js';
import { Executable } from '../runtime/index.js';

/**
 * The glue between the autotuner (compiler side, device-agnostic) and a real device: measures
 * candidate kernels by running them, caches the winners on disk per adapter, and returns the
 * compile options that use them. `--tune` in the CLI calls this.
 *
 * toolchain/ is the layer above both the compiler and the runtime: code that needs the two
 * together. Only bin/ and the package root (index.ts) import it; the compiler and the runtime
 * never do.
 */
export interface DeviceTuningOptions extends Omit<CompileOptions, 'limits'> {
  /** Tune kernels the cache does not know (default); false only reads the cache. */
  readonly tune?: boolean;
  readonly cachePath?: string;
  readonly onProgress?: (message: string) => void;
}

/**
 * A candidate's time: device time from timestamp queries where the adapter has them (immune to
 * host noise), else the median of three wall-clock runs.
 */
async function measure(device: DawnDevice, plan: Plan, inputs: Record<string, HostTensor>): Promise<number> {
  const exe = await Executable.load(plan, device);
  try {
    await exe.run(inputs);
    if (device.features.has('timestamp-query')) return (await exe.profile(inputs, 3)).reduce((sum, step) => sum + step.ms, 0);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await exe.run(inputs);
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[1];
  } finally {
    exe.dispose();
  }
}

export async function tunedCompileOptions(graph: Graph, device: DawnDevice, options: DeviceTuningOptions = {}): Promise<CompileOptions> {
  const path = options.cachePath ?? defaultCachePath();
  let table: TuningTable = loadTable(path);
  if (options.tune !== false) {
    table = await autotune(graph, table, {
      ...options,
      limits: device.limits,
      adapter: device.adapterDescription,
      maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup ?? 256,
      measure: (plan, inputs) => measure(device, plan, inputs),
      onProgress: options.onProgress,
    });
    saveTable(table, path);
  }
  return { ...options, limits: device.limits, ...tunedOptions(table, device.adapterDescription) };
}
