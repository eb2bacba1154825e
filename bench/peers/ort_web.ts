import { readFileSync } from 'node:fs';
import type { InferenceSession } from 'onnxruntime-common';
import type { BenchCase } from '../cases.js';
import type { PeerDriver, PreparedCase } from './driver.js';
import type { OrtBinding, TensorConstructor } from './ort_session.js';
import { prepareOrtCase } from './ort_session.js';
import { installWebGpuGlobals, releaseWebGpuGlobals } from './webgpu_env.js';

/**
 * onnxruntime-web's WebGPU execution provider (`onnxruntime-web/webgpu`: the C++ EP compiled
 * to wasm; plain `onnxruntime-web` resolves to a wasm-only build under Node), on Dawn's
 * adapter through `navigator.gpu`. Releasing its last session destroys its device, so sessions
 * stay alive until the process ends.
 */
export class OrtWebDriver implements PeerDriver {
  readonly peer = 'ort-web-webgpu' as const;
  readonly #sessions: InferenceSession[] = [];

  unsupported(c: BenchCase): string | undefined {
    if (c.spec.kind === 'fma' || c.spec.kind === 'bandwidth') return 'raw-WGSL device microbenchmark: measured through dawnflow\'s runtime only';
    if ((c.spec.kind === 'mlp-step' || c.spec.kind === 'cnn-step')) return 'onnxruntime has no training here; only the CPU reference runs the hand-derived step graph';
    return undefined;
  }

  async prepare(c: BenchCase, modelFile: string | undefined): Promise<PreparedCase> {
    if (!modelFile) throw new Error(`no model file for ${c.bench} ${c.case}`);
    installWebGpuGlobals();
    const ort = await import('onnxruntime-web/webgpu');
    // The compute runs on the adapter; wasm threads would only contend for the same two cores.
    ort.env.wasm.numThreads = 1;
    const binding: OrtBinding = {
      Tensor: ort.Tensor as unknown as TensorConstructor,
      createSession: (file) => ort.InferenceSession.create(readFileSync(file), { executionProviders: ['webgpu'] }),
      releaseSessions: false,
    };
    return prepareOrtCase(binding, c, modelFile, this.#sessions);
  }

  async close(): Promise<void> {
    releaseWebGpuGlobals();
  }
}
