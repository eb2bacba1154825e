import type { Scalar } from '@tensorflow/tfjs';
import type { BenchCase } from '../cases.js';
import type { NamedTensors } from '../case_inputs.js';
import { caseInputs } from '../case_inputs.js';
import { MLP_PARAMETERS } from '../models/mlp_step.js';
import type { PeerDriver, PreparedCase } from './driver.js';
import { toF32 } from './driver.js';
import { installWebGpuGlobals, releaseWebGpuGlobals } from './webgpu_env.js';

/**
 * TensorFlow.js with `tfjs-backend-webgpu` on Dawn's adapter. The union package
 * `@tensorflow/tfjs` is needed for training (tfjs-core alone registers no gradients in Node).
 * tfjs has no ONNX import, so it runs the cases that are plain tfjs programs: matmul and the
 * MLP training step.
 */

type Tf = typeof import('@tensorflow/tfjs');

let tfPromise: Promise<Tf> | undefined;

async function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    // navigator.gpu must exist before the backend is imported: it registers at import time.
    installWebGpuGlobals();
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise its webgpu backend');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

export class TfjsDriver implements PeerDriver {
  readonly peer = 'tfjs-webgpu' as const;

  unsupported(c: BenchCase): string | undefined {
    switch (c.spec.kind) {
      case 'matmul':
      case 'mlp-step':
        return undefined;
      case 'fma':
      case 'bandwidth':
        return 'raw-WGSL device microbenchmark: measured through dawnflow\'s runtime only';
      default:
        return 'tfjs has no ONNX import (equivalent tfjs layers are not built here)';
    }
  }

  async prepare(c: BenchCase): Promise<PreparedCase> {
    const tf = await loadTf();
    const inputs = caseInputs(c);
    const spec = c.spec;
    if (spec.kind === 'matmul') {
      const runOnce = async (): Promise<NamedTensors> => {
        const a = tf.tensor2d(inputs.a.data, [spec.n, spec.n]);
        const b = tf.tensor2d(inputs.b.data, [spec.n, spec.n]);
        const product = tf.matMul(a, b);
        const data = await product.data();
        tf.dispose([a, b, product]);
        return { c: { shape: [spec.n, spec.n], data: toF32(data) } };
      };
      return { first: runOnce, run: async () => void (await runOnce()), dispose: () => undefined };
    }
    if (spec.kind !== 'mlp-step') throw new Error(`tfjs runs no ${spec.kind} case`);

    const s = spec.shape;
    const params = Object.fromEntries(MLP_PARAMETERS.map((name) => [name, tf.variable(tf.tensor(inputs[name].data, [...inputs[name].shape]), true, `mlp_${name}`)]));
    const optimizer = tf.train.sgd(s.learningRate);
    const step = async (): Promise<NamedTensors> => {
      const x = tf.tensor2d(inputs.x.data, [s.batch, s.inputs]);
      const labels = tf.tensor2d(inputs.labels.data, [s.batch, s.classes]);
      const loss = optimizer.minimize(() => {
        const logits = x.matMul(params.w1).add(params.b1).relu().matMul(params.w2).add(params.b2);
        return tf.losses.softmaxCrossEntropy(labels, logits) as Scalar;
      }, true);
      if (!loss) throw new Error('tfjs returned no loss');
      const value = await loss.data();
      tf.dispose([x, labels, loss]);
      return { loss: { shape: [], data: toF32(value) } };
    };
    return {
      first: async () => {
        const out = await step();
        for (const name of MLP_PARAMETERS) out[`${name}_next`] = { shape: inputs[name].shape, data: toF32(await params[name].data()) };
        return out;
      },
      run: async () => void (await step()),
      dispose: () => {
        tf.dispose(Object.values(params));
        optimizer.dispose();
      },
    };
  }

  async close(): Promise<void> {
    releaseWebGpuGlobals();
  }
}
