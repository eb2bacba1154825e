import { expect } from 'vitest';
import type { Graph, HostTensor } from '../../ir/index.js';
import { compile, type CompileOptions } from '../../compiler/compile.js';
import { Executable } from '../../runtime/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose, type Tolerance } from './compare.js';

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

/**
 * Compiles `graph` once for the Dawn device and runs every input set, each output compared with
 * the reference interpreter's (shape, then values within `tol`): the GPU-vs-oracle check of the
 * template and pass tests. A symbolic plan binds its dims from each set's shapes.
 */
export async function expectGpuMatchesReference(graph: Graph, inputSets: readonly Record<string, HostTensor>[], tol: Tolerance, options: Omit<CompileOptions, 'limits'> = {}): Promise<void> {
  const device = await getDefaultDevice();
  const exe = await Executable.load(compile(graph, { ...options, limits: device.limits }), device);
  try {
    for (const inputs of inputSets) {
      const expected = interpret(graph, inputs).outputs;
      const actual = await exe.run(inputs);
      for (const name of Object.keys(expected)) {
        expect(actual[name].shape, name).toEqual(expected[name].shape);
        expectClose(actual[name], expected[name], tol, name);
      }
    }
  } finally {
    exe.dispose();
  }
}
