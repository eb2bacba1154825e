import type { InferenceSession } from 'onnxruntime-common';
import type { BenchCase } from '../cases.js';
import type { PeerName } from '../peers.js';
import type { PeerDriver, PreparedCase } from './driver.js';
import type { OrtBinding, TensorConstructor } from './ort_session.js';
import { prepareOrtCase } from './ort_session.js';

/**
 * onnxruntime-node: its native CPU provider (the reference every peer is checked against) and
 * its own WebGPU provider, which embeds its own Dawn and runs on the same lavapipe adapter.
 */
export class OrtNodeDriver implements PeerDriver {
  readonly #sessions: InferenceSession[] = [];

  constructor(
    readonly peer: Extract<PeerName, 'ort-node-cpu' | 'ort-node-webgpu'>,
  ) {}

  unsupported(c: BenchCase): string | undefined {
    if (c.spec.kind === 'fma' || c.spec.kind === 'bandwidth') return 'raw-WGSL device microbenchmark: measured through dawnflow\'s runtime only';
    if ((c.spec.kind === 'mlp-step' || c.spec.kind === 'cnn-step') && this.peer !== 'ort-node-cpu') return 'onnxruntime has no training here; only the CPU reference runs the hand-derived step graph';
    return undefined;
  }

  async prepare(c: BenchCase, modelFile: string | undefined): Promise<PreparedCase> {
    if (!modelFile) throw new Error(`no model file for ${c.bench} ${c.case}`);
    const ort = await import('onnxruntime-node');
    const provider = this.peer === 'ort-node-cpu' ? 'cpu' : 'webgpu';
    const binding: OrtBinding = {
      Tensor: ort.Tensor as unknown as TensorConstructor,
      createSession: (file) => ort.InferenceSession.create(file, { executionProviders: [provider] }),
      releaseSessions: true,
    };
    return prepareOrtCase(binding, c, modelFile, this.#sessions);
  }

  async close(): Promise<void> {
    for (const s of this.#sessions.splice(0)) await s.release();
  }
}
