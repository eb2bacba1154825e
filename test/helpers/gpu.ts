import type { Graph, HostTensor } from '../../ir/index.js';
import { compile, type CompileOptions } from '../../compiler/compile.js';
import { Executable } from '../../runtime/index.js';
import { getDefaultDevice } from '../../runtime/index.js';

/** Compiles a graph for the Dawn device and runs it once: the GPU side of every op test. */
export async function runOnGpu(graph: Graph, inputs: Record<string, HostTensor>, options: Omit<CompileOptions, 'limits'> = {}): Promise<Record<string, HostTensor>> {
  const device = await getDefaultDevice();
  const plan = compile(graph, { ...options, limits: device.limits });
  const exe = await Executable.load(plan, device);
  try {
    return await exe.run(inputs);
  } finally {
    exe.dispose();
  }
}
